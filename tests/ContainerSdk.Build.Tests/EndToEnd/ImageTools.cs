using System.Text.Json.Nodes;

namespace ContainerSdk.Tests.EndToEnd;

/// <summary>The OCI tools a user would point at the build's outputs.</summary>
public static class ImageTools
{
    /// <summary>`skopeo inspect oci:LAYOUT:TAG`: the image as a registry client sees it (Env, Layers, Labels).</summary>
    public static JsonObject SkopeoInspect(string layout, string tag)
    {
        var skopeo = Tools.Require("skopeo");
        var r = Tools.Run(skopeo, "inspect", $"oci:{layout}:{tag}").EnsureSuccess($"skopeo inspect oci:{layout}:{tag}");
        return JsonNode.Parse(r.StdOut)!.AsObject();
    }

    /// <summary>`umoci unpack`: an OCI runtime bundle (config.json + rootfs/) at <paramref name="bundle"/>, as root.</summary>
    public static void UmociUnpack(string imageReference, string bundle)
    {
        var umoci = Tools.Require("umoci");
        Tools.RequireRoot("umoci unpack applies the image's owners");
        Tools.Run(umoci, "unpack", "--image", imageReference, bundle).EnsureSuccess($"umoci unpack --image {imageReference}");
    }

    /// <summary>The digest of the one manifest that index.json lists.</summary>
    public static string ManifestDigest(string layout)
    {
        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(layout, "index.json")))!;
        var manifests = index["manifests"]!.AsArray();
        Assert.NotEmpty(manifests);
        return manifests[0]!["digest"]!.GetValue<string>();
    }

    /// <summary>The manifest that index.json names, read from the layout's blobs.</summary>
    public static JsonNode Manifest(string layout)
    {
        var digest = ManifestDigest(layout).Split(':');
        return JsonNode.Parse(File.ReadAllText(Path.Combine(layout, "blobs", digest[0], digest[1])))!;
    }

    /// <summary>`tar -tzvf`: one line per entry, "mode owner/group size date time name".</summary>
    public static string[] ListTarball(string tarball)
    {
        var tar = Tools.Require("tar");
        return Tools.Run(tar, "-tzvf", tarball).EnsureSuccess($"tar -tzvf {tarball}")
            .StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>The listing line of <paramref name="name"/> (with or without a leading "./" or trailing "/").</summary>
    public static string ListingLine(IEnumerable<string> listing, string name)
    {
        var line = listing.FirstOrDefault(l => EntryName(l).Trim('/') is var n && (n == name || n == "./" + name));
        Assert.True(line is not null, $"{name} is not in the listing:\n{string.Join('\n', listing)}");
        return line!;
    }

    /// <summary>The entry name of a `tar -tv` line (a link's " -> target" / " link to target" cut off).</summary>
    public static string EntryName(string line)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var name = string.Join(' ', fields.Skip(5));
        foreach (var arrow in new[] { " -> ", " link to " })
        {
            var at = name.IndexOf(arrow, StringComparison.Ordinal);
            if (at >= 0) name = name[..at];
        }
        return name;
    }
}
