using System.Diagnostics;
using System.Text.Json;
using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Registry.Credentials;

/// <summary>
/// docker's credential helper protocol: <c>docker-credential-&lt;name&gt; get</c> reads the server on stdin and writes
/// <c>{"ServerURL":…,"Username":…,"Secret":…}</c>, or fails with "credentials not found". Its output is never repeated
/// in a message: it is the secret.
/// </summary>
internal static class CredentialHelper
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static RegistryCredential? Get(string helper, string server, CredentialEnvironment environment)
    {
        string program = "docker-credential-" + helper;
        string? path = environment.FindExecutable(program);
        if (path is null)
            throw Failed(program, server, "it is not on PATH");
        var psi = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("get");
        using var process = System.Diagnostics.Process.Start(psi) ?? throw Failed(program, server, "it could not be started");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            process.StandardInput.Write(server);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // A helper that answers without reading the server name (a fixed answer, or an early failure) closes the pipe first.
        }
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw Failed(program, server, $"it did not answer within {Timeout.TotalSeconds:0} s");
        }
        process.WaitForExit();
        string stdout = output.Result, stderr = error.Result;
        if (process.ExitCode != 0)
        {
            // The protocol's "no entry" answer, on either stream depending on the helper.
            if ((stdout + stderr).Contains("credentials not found", StringComparison.OrdinalIgnoreCase)) return null;
            throw Failed(program, server, $"it exited with code {process.ExitCode}");
        }
        try
        {
            using var doc = JsonDocument.Parse(stdout);
            string? user = doc.RootElement.TryGetProperty("Username", out var u) ? u.GetString() : null;
            string? secret = doc.RootElement.TryGetProperty("Secret", out var s) ? s.GetString() : null;
            if (string.IsNullOrEmpty(secret)) return null;
            return new RegistryCredential(user ?? "", secret, $"credential helper {program}") { IsIdentityToken = user == RegistryCredential.IdentityTokenUserName };
        }
        catch (JsonException)
        {
            throw Failed(program, server, "its answer is not the helper protocol's JSON");
        }
    }

    private static ContainerSdkException Failed(string program, string server, string why) =>
        new(Codes.RegistryCredentialsFailed, $"Registry credentials for {server} come from the credential helper {program}, but {why}.");
}
