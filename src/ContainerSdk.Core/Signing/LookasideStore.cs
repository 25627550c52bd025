using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.IO;
using ContainerSdk.Core.Oci;

namespace ContainerSdk.Core.Signing;

/// <summary>
/// A containers/image lookaside store (ContainerSignatureStore) as a folder: the signatures of a manifest are
/// <c>&lt;root&gt;/&lt;repository&gt;@sha256=&lt;hex&gt;/signature-1</c>, <c>signature-2</c>, … (docs/signature-protocols.md of
/// containers/image: the repository path without the registry host, as skopeo writes them), read by containers/image
/// from 1 up to the first number missing. Served as it is over HTTP or mounted everywhere, <c>registries.d</c>'s
/// <c>lookaside:</c> names it.
/// </summary>
internal sealed class LookasideStore(string root)
{
    /// <summary>Most signatures read for one manifest: a store is the site's, but a loop must end.</summary>
    private const int MaxSignatures = 1000;

    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>The folder of <paramref name="digest"/>'s signatures.</summary>
    public string FolderOf(string repository, Digest digest) => Path.Combine(Root, $"{repository}@{digest.Algorithm}={digest.Hex}");

    /// <summary>The signatures there are, in the order containers/image reads them.</summary>
    public IEnumerable<(string Path, byte[] Bytes)> Read(string repository, Digest digest)
    {
        string folder = FolderOf(repository, digest);
        for (int n = 1; n <= MaxSignatures; n++)
        {
            string path = Path.Combine(folder, $"signature-{n}");
            if (!File.Exists(path)) yield break;
            yield return (path, File.ReadAllBytes(path));
        }
    }

    /// <summary>
    /// Writes <paramref name="signature"/> as the next signature-N: written under a temporary name, then linked to a
    /// name no other file has (a second publish at the same time takes the next number, never overwrites).
    /// </summary>
    /// <returns>The signature's path.</returns>
    public string Add(string repository, Digest digest, byte[] signature)
    {
        string folder = FolderOf(repository, digest);
        try
        {
            Directory.CreateDirectory(folder);
            using var temp = new TempFile(Path.Combine(folder, "signature"));
            temp.WriteAllBytes(signature);
            for (int n = 1; n <= MaxSignatures; n++)
            {
                string path = Path.Combine(folder, $"signature-{n}");
                if (File.Exists(path)) continue;
                if (HardLink.TryCreate(temp.Path, path)) return path;
                // No hard links here (or the name was just taken): a rename that refuses an existing name.
                if (!File.Exists(path))
                {
                    try { File.Move(temp.Path, path, overwrite: false); return path; }
                    catch (IOException) when (File.Exists(path)) { }
                }
            }
            throw new ContainerSdkException(Codes.SignatureStoreWriteFailed, $"{folder} holds {MaxSignatures} signatures already.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ContainerSdkException(Codes.SignatureStoreWriteFailed,
                $"The signature could not be written to ContainerSignatureStore ({folder}): {e.Message}", inner: e);
        }
    }
}
