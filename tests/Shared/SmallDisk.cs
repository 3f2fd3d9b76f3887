using System.Diagnostics;

namespace Vigil.Tests.Support;

/// <summary>
/// A tmpfs of a few MiB mounted for one test, so a real server can run out of disk: <see cref="Fill"/>
/// takes every free byte with a ballast file, <see cref="Free"/> gives it back. Mounting needs root
/// (CAP_SYS_ADMIN), as scripts/test.sh runs; elsewhere the test fails saying so.
/// </summary>
public sealed class SmallDisk : IDisposable
{
    private SmallDisk(string path) => Path = path;

    /// <summary>The mount point; put the data directory below it.</summary>
    public string Path { get; }

    private string Ballast => System.IO.Path.Combine(Path, "ballast");

    public static SmallDisk Mount(int megabytes)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"vigil-small-disk-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        var (exit, error) = Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m,mode=0700", "tmpfs", path);
        if (exit != 0)
        {
            Directory.Delete(path);
            throw new InvalidOperationException($"mounting a {megabytes} MiB tmpfs at {path} failed (exit {exit}: {error.Trim()}): this test needs root, as scripts/test.sh runs it");
        }
        return new SmallDisk(path);
    }

    /// <summary>Writes the ballast until the disk refuses a single byte more; returns its size.</summary>
    public long Fill()
    {
        using var file = new FileStream(Ballast, FileMode.Append, FileAccess.Write, FileShare.None, bufferSize: 0);
        var block = new byte[64 * 1024];
        for (var size = block.Length; size > 0; size /= 2)
        {
            try
            {
                while (true)
                {
                    file.Write(block, 0, size);
                }
            }
            catch (IOException e) when (e.HResult == 28) // ENOSPC: try smaller pieces, down to one byte
            {
            }
        }
        return file.Length;
    }

    public long FreeBytes => new DriveInfo(Path).AvailableFreeSpace;

    public void Free() => File.Delete(Ballast);

    public void Dispose()
    {
        Run("umount", "-l", Path);
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static (int Exit, string Error) Run(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error);
    }
}
