namespace ContainerSdk.Core.Oci;

/// <summary>
/// The one rule of what an item names when it is not a path: an address with a scheme (<c>docker://host/repo:tag</c>,
/// the transport syntax of skopeo, podman and Apptainer). It sits beside <see cref="ImageReference"/> so that the
/// inputs that keep an address as written and the image sources that recognize their scheme ask the same grammar.
/// </summary>
internal static class ImageAddress
{
    /// <summary>Whether <paramref name="itemSpec"/> is an address (it has a scheme), not a path.</summary>
    public static bool IsAddress(string itemSpec) => SchemeOf(itemSpec) is not null;

    /// <summary>
    /// The scheme of an address (<c>docker</c> for <c>docker://…</c>: lower-case letters, digits, '+', '-' and '.'
    /// before <c>://</c>, as RFC 3986 has it), or null for a path.
    /// </summary>
    public static string? SchemeOf(string itemSpec)
    {
        int colon = itemSpec.IndexOf("://", StringComparison.Ordinal);
        return colon > 0 && itemSpec.AsSpan(0, colon).IndexOfAnyExcept("abcdefghijklmnopqrstuvwxyz0123456789+-.") < 0 ? itemSpec[..colon] : null;
    }
}
