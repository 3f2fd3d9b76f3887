using System.Runtime.InteropServices;

namespace Vigil.Features.Access;

/// <summary>
/// The data directory holds the database, the metrics WAL and blocks and the keys that decrypt
/// stored secrets: readable by Vigil's own user only. At start the process's umask becomes 077, so
/// every file Vigil creates from then on is 0600 and every directory 0700, and what an earlier
/// version left readable is narrowed.
/// </summary>
public static partial class DataFileModes
{
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public static void Restrict(string dataDirectory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        _ = NativeMethods.umask(Convert.ToUInt32("077", 8));
        Directory.CreateDirectory(dataDirectory);
        File.SetUnixFileMode(dataDirectory, DirectoryMode);
        foreach (var entry in new DirectoryInfo(dataDirectory).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            if (entry.LinkTarget is not null)
            {
                continue;
            }
            entry.UnixFileMode = entry is DirectoryInfo ? DirectoryMode : FileMode;
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = false)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SYSLIB1054 // A plain C call with one integer: no marshalling for the generator to improve.
        internal static extern uint umask(uint mask);
#pragma warning restore SYSLIB1054
    }
}
