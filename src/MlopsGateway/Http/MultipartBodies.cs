using System.Net.Http.Headers;

namespace MlopsGateway.Http;

/// <summary>
/// Multipart request bodies for Refit endpoints that take an <see cref="HttpContent"/> body: Refit's own
/// multipart parts leave the part name unquoted (and .NET adds <c>filename*</c>), which some servers' and
/// Prism's multipart parsers reject, so the gateway writes the Content-Disposition as browsers and Go's
/// mime/multipart do.
/// </summary>
public static class MultipartBodies
{
    /// <summary>
    /// One streamed file part (never buffered whole; a streamed body is never retried) with a quoted part name
    /// and file name; quotes and backslashes in the file name are replaced so they cannot break the header.
    /// </summary>
    /// <param name="partName">The form field name (for example KFP's <c>uploadfile</c>).</param>
    /// <param name="fileName">The file name sent to the server.</param>
    /// <param name="content">The file's content, read while sending and disposed with the request.</param>
    /// <param name="mediaType">The part's media type.</param>
    public static MultipartFormDataContent StreamedFile(string partName, string fileName, Stream content, string mediaType = "application/octet-stream")
    {
        ArgumentException.ThrowIfNullOrEmpty(partName);
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(content);
        var file = new StreamContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        file.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data")
        {
            Name = Quote(partName),
            FileName = Quote(fileName),
        };
        return new MultipartFormDataContent { file };
    }

    private static string Quote(string value) => "\"" + value.Replace('"', '_').Replace('\\', '_') + "\"";
}
