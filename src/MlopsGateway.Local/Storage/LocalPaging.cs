using System.Globalization;

namespace MlopsGateway.Local.Storage;

/// <summary>Offset paging for Local listings: the continuation token is the offset of the next page.</summary>
internal static class LocalPaging
{
    /// <summary>
    /// Creates a listing whose fetcher reads up to <c>size + 1</c> rows at an offset; the extra row only
    /// says another page exists. Page-size hints are clamped to <paramref name="limits"/>.
    /// </summary>
    public static MlopsPageable<T> Create<T>(Func<int, int, CancellationToken, Task<List<T>>> fetch, int defaultPageSize, BackendLimits limits, CancellationToken cancellationToken)
        => MlopsPageable<T>.Create(async (token, size, ct) =>
        {
            var offset = 0;
            if (token is not null && !int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out offset))
            {
                throw MlopsGuard.Invalid($"'{token}' is not a continuation token of this Local listing.");
            }
            var pageSize = limits.ClampPageSize(size);
            var rows = await fetch(offset, pageSize, ct).ConfigureAwait(false);
            if (rows.Count > pageSize)
            {
                rows.RemoveAt(rows.Count - 1);
                return new MlopsPage<T>(rows, (offset + pageSize).ToString(CultureInfo.InvariantCulture));
            }
            return new MlopsPage<T>(rows, null);
        }, defaultPageSize, cancellationToken);
}
