using System.Diagnostics;
using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Signing;

/// <summary>
/// The gpg command line, as skopeo reaches GnuPG through GPGME: the user's own keyring (GNUPGHOME or ~/.gnupg) and
/// agent, smartcards included, with nothing of the key read by this process. Always <c>--batch</c>; machine-readable
/// status lines on stderr (<c>--status-fd 2</c>) so that a bad passphrase is told from other failures.
/// </summary>
internal static class Gpg
{
    /// <summary>How long one gpg run may take: an agent asking a pinentry nobody answers must not hang the build.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    internal sealed record Result(int ExitCode, byte[] StdOut, string StdErr)
    {
        /// <summary>The status keywords gpg printed ("[GNUPG:] VALIDSIG ...": "VALIDSIG ...").</summary>
        public IEnumerable<string> Status => StdErr.Split('\n').Where(l => l.StartsWith("[GNUPG:] ", StringComparison.Ordinal)).Select(l => l[9..].TrimEnd('\r'));

        /// <summary>gpg's own messages (not the status lines), for an error: they never hold a passphrase.</summary>
        public string Messages => string.Join(" ", StdErr.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("[GNUPG:] ", StringComparison.Ordinal)).Select(l => l.Trim()));
    }

    /// <summary>Runs gpg with <paramref name="args"/> after the options every run has; <paramref name="stdin"/> is written and closed first.</summary>
    /// <param name="home">GNUPGHOME as the build's environment has it (null: gpg's own default, ~/.gnupg).</param>
    public static Result Run(IReadOnlyList<string> args, string? home, byte[]? stdin = null)
    {
        var psi = new ProcessStartInfo("gpg")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--batch", "--no-tty", "--status-fd", "2" }.Concat(args)) psi.ArgumentList.Add(a);
        if (home is not null) psi.Environment["GNUPGHOME"] = home;
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new ContainerSdkException(Codes.SigningFailed,
                "ContainerSigningKey names a GPG key, but gpg could not be started (install GnuPG: Debian's gnupg package): " + e.Message);
        }
        using (process)
        {
            using var output = new MemoryStream();
            var reading = process.StandardOutput.BaseStream.CopyToAsync(output);
            var error = process.StandardError.ReadToEndAsync();
            try
            {
                if (stdin is not null) process.StandardInput.BaseStream.Write(stdin);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // gpg exited without reading its input: its exit code and messages say why.
            }
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new ContainerSdkException(Codes.SigningFailed,
                    $"gpg did not finish within {Timeout.TotalSeconds:0} s (an agent waiting for a passphrase? set CONTAINERSDK_SIGNING_KEY_PASSWORD, or unlock the key first).");
            }
            process.WaitForExit();
            reading.GetAwaiter().GetResult();
            return new Result(process.ExitCode, output.ToArray(), error.GetAwaiter().GetResult());
        }
    }
}
