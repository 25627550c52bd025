using System.Text.Json.Serialization;
using ContainerSdk.Core.Modules;

namespace ContainerSdk.Tasks;

/// <summary>
/// The JSON of <see cref="LayerItems"/>' metadata, generated at compile time: the reflection serializer's first use
/// costs a fresh MSBuild process tens of milliseconds (it emits code). Default options, so the text is what
/// <c>JsonSerializer</c> with no context writes and reads.
/// </summary>
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
[JsonSerializable(typeof(InstalledModuleFile))]
internal sealed partial class LayerItemsJson : JsonSerializerContext;
