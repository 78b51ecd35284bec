using MlopsGateway.Airflow.Api;
using System.Globalization;

namespace MlopsGateway.Airflow;

/// <summary>
/// Airflow's <c>limit</c>/<c>offset</c>/<c>total_entries</c> paging as an <see cref="MlopsPageable{T}"/>:
/// the continuation token is the next offset, pages are capped at 100 (the server's
/// <c>maximum_page_limit</c>), and without a size hint the dialect's default (v1 100, v2 50) is used.
/// </summary>
internal static class AirflowPaging
{
    public static MlopsPageable<T> Create<TDto, T>(
        AirflowApi api,
        int? pageSizeHint,
        Func<int, int, CancellationToken, Task<AirflowPage<TDto>>> fetch,
        Func<TDto, T> map,
        CancellationToken cancellationToken)
        => MlopsPageable<T>.Create(async (token, size, ct) =>
        {
            var offset = ParseOffset(token);
            var dialect = await api.GetDialectAsync(ct).ConfigureAwait(false);
            var limit = Math.Clamp(size > 0 ? size : dialect.DefaultPageSize, 1, AirflowApi.MaxPageSize);
            var page = await fetch(offset, limit, ct).ConfigureAwait(false);
            var next = offset + page.Items.Count;
            var nextToken = page.Items.Count > 0 && next < page.TotalEntries ? next.ToString(CultureInfo.InvariantCulture) : null;
            return new MlopsPage<T>(page.Items.Select(map).ToList(), nextToken);
        }, pageSizeHint ?? 0, cancellationToken);

    private static int ParseOffset(string? token)
    {
        if (token is null)
        {
            return 0;
        }
        return int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
            ? offset
            : throw MlopsGuard.Invalid($"'{token}' is not an Airflow continuation token (an offset from an earlier page).");
    }
}
