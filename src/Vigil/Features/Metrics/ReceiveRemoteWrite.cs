using System.Buffers;
using Vigil.Metrics.RemoteWrite;
using Vigil.Metrics.Storage;

namespace Vigil.Features.Metrics;

/// <summary>
/// <c>POST /prometheus/api/v1/write</c>: the remote-write 1.0 receiver (snappy-compressed protobuf
/// <c>WriteRequest</c>). Answers 204 only once the samples are committed to the store; a body that
/// does not decode gets 400 with the reason in plain text and writes nothing, as Prometheus's
/// receiver does. Samples the store refuses (out of order, duplicates) are counted in a 400 after
/// the accepted ones are committed, so the sender does not retry a batch that cannot succeed.
/// The metadata in a body (type, help, unit per family) is kept for <c>/api/v1/metadata</c>.
/// </summary>
public static class ReceiveRemoteWrite
{
    /// <summary>Largest compressed body accepted; Prometheus sends batches of a few MiB at most.</summary>
    private const int MaxBodyBytes = 32 << 20;

    public static async Task<IResult> Handle(HttpRequest request, ISampleStore store, RemoteWriteMetadata metadata, CancellationToken cancellationToken)
    {
        if (request.ContentLength is > MaxBodyBytes)
        {
            return TypedResults.Text($"body of {request.ContentLength} bytes exceeds the limit of {MaxBodyBytes}", statusCode: StatusCodes.Status413PayloadTooLarge);
        }
        var (buffer, length) = await ReadBodyAsync(request, cancellationToken);
        try
        {
            if (length > MaxBodyBytes)
            {
                return TypedResults.Text($"body exceeds the limit of {MaxBodyBytes} bytes", statusCode: StatusCodes.Status413PayloadTooLarge);
            }
            // Decoded straight into the appender; an undecodable body leaves it uncommitted, so nothing is written.
            var appender = store.Appender();
            RemoteWriteCounts counts;
            var families = new List<Vigil.Metrics.Exposition.MetricMetadata>();
            try
            {
                counts = RemoteWriteDecoder.DecodeInto(buffer.AsSpan(0, length), appender, metadata: families.Add);
            }
            catch (RemoteWriteException e)
            {
                return TypedResults.Text(e.Message, statusCode: StatusCodes.Status400BadRequest);
            }
            metadata.Put(families);
            var result = await appender.CommitAsync(cancellationToken);
            if (result.Rejected > 0)
            {
                return TypedResults.Text(
                    $"{result.Rejected} of {counts.Samples} samples rejected ({result.OutOfOrder} out of order, {result.Duplicates} duplicate timestamps with another value, {result.Invalid} invalid); the others were written",
                    statusCode: StatusCodes.Status400BadRequest);
            }
            return TypedResults.NoContent();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The body in a pooled buffer (return it), read until its end or until it passes
    /// <see cref="MaxBodyBytes"/> (then the length says so and the rest is not read).
    /// </summary>
    private static async Task<(byte[] Buffer, int Length)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)(request.ContentLength ?? 64 * 1024) + 1);
        var length = 0;
        while (length <= MaxBodyBytes)
        {
            if (length == buffer.Length)
            {
                var grown = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                buffer.AsSpan(0, length).CopyTo(grown);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = grown;
            }
            var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                break;
            }
            length += read;
        }
        return (buffer, length);
    }
}
