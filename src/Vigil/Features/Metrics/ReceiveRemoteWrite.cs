using Vigil.Metrics.RemoteWrite;
using Vigil.Metrics.Storage;

namespace Vigil.Features.Metrics;

/// <summary>
/// <c>POST /prometheus/api/v1/write</c>: the remote-write 1.0 receiver (snappy-compressed protobuf
/// <c>WriteRequest</c>). Answers 204 only once the samples are committed to the store; a body that
/// does not decode gets 400 with the reason in plain text and writes nothing, as Prometheus's
/// receiver does. Samples the store refuses (out of order, duplicates) are counted in a 400 after
/// the accepted ones are committed, so the sender does not retry a batch that cannot succeed.
/// </summary>
public static class ReceiveRemoteWrite
{
    /// <summary>Largest compressed body accepted; Prometheus sends batches of a few MiB at most.</summary>
    private const int MaxBodyBytes = 32 << 20;

    public static async Task<IResult> Handle(HttpRequest request, ISampleStore store, CancellationToken cancellationToken)
    {
        if (request.ContentLength is > MaxBodyBytes)
        {
            return TypedResults.Text($"body of {request.ContentLength} bytes exceeds the limit of {MaxBodyBytes}", statusCode: StatusCodes.Status413PayloadTooLarge);
        }
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        if (buffer.Length > MaxBodyBytes)
        {
            return TypedResults.Text($"body exceeds the limit of {MaxBodyBytes} bytes", statusCode: StatusCodes.Status413PayloadTooLarge);
        }
        WriteRequest decoded;
        try
        {
            decoded = RemoteWriteDecoder.Decode(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        }
        catch (RemoteWriteException e)
        {
            return TypedResults.Text(e.Message, statusCode: StatusCodes.Status400BadRequest);
        }
        var appender = store.Appender();
        decoded.AppendTo(appender);
        var result = await appender.CommitAsync(cancellationToken);
        if (result.Rejected > 0)
        {
            return TypedResults.Text(
                $"{result.Rejected} of {decoded.SampleCount} samples rejected ({result.OutOfOrder} out of order, {result.Duplicates} duplicate timestamps with another value, {result.Invalid} invalid); the others were written",
                statusCode: StatusCodes.Status400BadRequest);
        }
        return TypedResults.NoContent();
    }
}
