namespace MlopsGateway;

/// <summary>One page of a listing.</summary>
/// <typeparam name="T">The item type.</typeparam>
/// <param name="Values">The items on this page.</param>
/// <param name="ContinuationToken">Pass to <see cref="MlopsPageable{T}.AsPages"/> to resume after this page; <see langword="null"/> on the last page.</param>
public sealed record MlopsPage<T>(IReadOnlyList<T> Values, string? ContinuationToken);

/// <summary>Fetches one page: the continuation token (null for the first page), the page size, and a cancellation token.</summary>
/// <typeparam name="T">The item type.</typeparam>
public delegate Task<MlopsPage<T>> MlopsPageFetcher<T>(string? continuationToken, int pageSize, CancellationToken cancellationToken);
