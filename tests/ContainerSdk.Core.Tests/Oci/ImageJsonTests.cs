using System.Text;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Outputs;

using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Oci;

public class ImageJsonTests
{
    private static readonly Digest Layer = Digest.Compute("layer"u8);

    private static ImageConfig SmallConfig() => new()
    {
        Architecture = "amd64",
        Os = "linux",
        Created = "1970-01-01T00:00:00Z",
        Config = new RuntimeConfig
        {
            User = "1000",
            ExposedPorts = new[] { "8080/tcp", "53/udp" },
            Env = new[] { EnvironmentComposer.DefaultPath, "FOO=bar" },
            Entrypoint = new[] { "/bin/sh", "-c" },
            WorkingDir = "/work",
            Labels = new Dictionary<string, string> { ["b"] = "2", ["a"] = "<1+1>" },
        },
        DiffIds = new[] { Layer },
        History = new[] { new HistoryEntry("1970-01-01T00:00:00Z", "Module modules/x") },
    };

    [Fact]
    public void Config_json_is_exactly_the_expected_bytes()
    {
        var expected =
            "{\"created\":\"1970-01-01T00:00:00Z\",\"architecture\":\"amd64\",\"os\":\"linux\"," +
            "\"config\":{\"User\":\"1000\",\"ExposedPorts\":{\"53/udp\":{},\"8080/tcp\":{}}," +
            "\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"FOO=bar\"]," +
            "\"Entrypoint\":[\"/bin/sh\",\"-c\"],\"WorkingDir\":\"/work\",\"Labels\":{\"a\":\"<1+1>\",\"b\":\"2\"}}," +
            $"\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[\"{Layer}\"]}}," +
            "\"history\":[{\"created\":\"1970-01-01T00:00:00Z\",\"created_by\":\"Module modules/x\"}]}";
        Assert.Equal(expected, Encoding.UTF8.GetString(SmallConfig().ToJson()));
    }

    [Fact]
    public void Same_inputs_give_the_same_bytes_whatever_the_map_insertion_order()
    {
        var a = SmallConfig();
        var b = SmallConfig() with
        {
            Config = SmallConfig().Config with
            {
                ExposedPorts = new[] { "53/udp", "8080/tcp" },
                Labels = new Dictionary<string, string> { ["a"] = "<1+1>", ["b"] = "2" },
            },
        };
        Assert.Equal(a.ToJson(), b.ToJson());
        Assert.Equal(a.ToJson(), SmallConfig().ToJson());
    }

    [Fact]
    public void Empty_optional_fields_are_omitted()
    {
        var json = Encoding.UTF8.GetString(new ImageConfig { Architecture = "arm64", Os = "linux", Variant = "v8" }.ToJson());
        Assert.Equal("{\"architecture\":\"arm64\",\"variant\":\"v8\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}", json);
    }

    [Fact]
    public void Config_round_trips_through_parse()
    {
        var original = SmallConfig();
        var parsed = ImageConfig.Parse(original.ToJson());
        Assert.Equal(original.ToJson(), parsed.ToJson());
        Assert.Equal(new[] { "53/udp", "8080/tcp" }, parsed.Config.ExposedPorts);
        Assert.Equal("<1+1>", parsed.Config.Labels["a"]);
        Assert.Null(parsed.Config.Cmd);
    }

    [Fact]
    public void Parses_a_docker_config_with_nulls_and_nanosecond_times()
    {
        var docker = """
            {"architecture":"amd64","config":{"Env":["PATH=/bin"],"Cmd":["bash"],"Entrypoint":null,"Labels":null,"OnBuild":null},
             "created":"2024-05-01T12:34:56.123456789Z","os":"linux",
             "history":[{"created":"2024-05-01T12:34:56.1Z","created_by":"/bin/sh -c #(nop)  CMD [\"bash\"]","empty_layer":true}],
             "rootfs":{"type":"layers","diff_ids":["sha256:0000000000000000000000000000000000000000000000000000000000000000"]}}
            """;
        var config = ImageConfig.Parse(Encoding.UTF8.GetBytes(docker));
        Assert.Equal("2024-05-01T12:34:56.123456789Z", config.Created);
        Assert.Equal(new[] { "bash" }, config.Config.Cmd);
        Assert.Null(config.Config.Entrypoint);
        Assert.True(config.History[0].EmptyLayer);
        Assert.Single(config.DiffIds);
    }

    [Fact]
    public void Manifest_and_index_serialize_in_fixed_order_and_round_trip()
    {
        var config = new Descriptor(MediaTypes.ImageConfig, Digest.Compute("c"u8), 1);
        var layer = new Descriptor(MediaTypes.LayerGzip, Layer, 5);
        var manifest = new Manifest
        {
            Config = config,
            Layers = new[] { layer },
            Annotations = new Dictionary<string, string> { ["z"] = "1", ["org.opencontainers.image.created"] = "1970-01-01T00:00:00Z" },
        };
        var json = Encoding.UTF8.GetString(manifest.ToJson());
        Assert.Equal(
            $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.ImageManifest}\"," +
            $"\"config\":{{\"mediaType\":\"{MediaTypes.ImageConfig}\",\"digest\":\"{config.Digest}\",\"size\":1}}," +
            $"\"layers\":[{{\"mediaType\":\"{MediaTypes.LayerGzip}\",\"digest\":\"{Layer}\",\"size\":5}}]," +
            "\"annotations\":{\"org.opencontainers.image.created\":\"1970-01-01T00:00:00Z\",\"z\":\"1\"}}", json);
        Assert.Equal(manifest.ToJson(), Manifest.Parse(manifest.ToJson()).ToJson());

        var index = new ImageIndex
        {
            Manifests = new[]
            {
                new Descriptor(MediaTypes.ImageManifest, Layer, 9)
                {
                    Platform = new Platform("linux", "arm64", "v8"),
                    Annotations = new Dictionary<string, string> { [ImageIndex.RefNameAnnotation] = "1.0" },
                },
            },
        };
        Assert.Equal(
            $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.ImageIndex}\",\"manifests\":[{{\"mediaType\":\"{MediaTypes.ImageManifest}\"," +
            $"\"digest\":\"{Layer}\",\"size\":9,\"annotations\":{{\"org.opencontainers.image.ref.name\":\"1.0\"}}," +
            "\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"}}]}",
            Encoding.UTF8.GetString(index.ToJson()));
        var parsed = ImageIndex.Parse(index.ToJson());
        Assert.Equal(index.ToJson(), parsed.ToJson());
        Assert.Equal("v8", parsed.Manifests[0].Platform!.Variant);
    }

    [Fact]
    public void Parse_rejects_what_is_not_an_image_document()
    {
        Assert.Throws<FormatException>(() => Manifest.Parse("{\"schemaVersion\":1}"u8));
        Assert.Throws<FormatException>(() => ImageIndex.Parse("not json"u8));
        Assert.Throws<FormatException>(() => ImageConfig.Parse("{\"os\":\"linux\"}"u8));
    }

    [Theory]
    [InlineData(0L, "1970-01-01T00:00:00Z")]
    [InlineData(1700000000L, "2023-11-14T22:13:20Z")]
    public void Created_is_rfc3339_utc(long epoch, string expected)
        => Assert.Equal(expected, OciJson.FormatTime(epoch));

    [Fact]
    public void Schema_check_is_not_vacuous_it_follows_refs_across_files()
    {
        var config = new Descriptor(MediaTypes.ImageConfig, Digest.Compute("c"u8), 1);
        var layers = new[] { new Descriptor(MediaTypes.LayerGzip, Layer, 5) };
        var good = new Manifest { Config = config, Layers = layers }.ToJson();
        OciSchemas.AssertValid("image-manifest-schema.json", good);
        // The media type pattern lives in defs-descriptor.json, reached through content-descriptor.json.
        var bad = new Manifest { Config = config with { MediaType = "not a media type" }, Layers = layers }.ToJson();
        Assert.Contains("pattern", OciSchemas.Validate("image-manifest-schema.json", bad));
        var badTime = Encoding.UTF8.GetBytes("{\"created\":\"yesterday\",\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
        Assert.NotNull(OciSchemas.Validate("config-schema.json", badTime));
    }
}
