using System.Text.Json.Serialization;

namespace EdgeFence.SnapshotTool.JsonModel;

// Unknown members are errors: a misspelt "denyByDefualt" would otherwise silently leave a site open.
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(SnapshotConfig))]
[JsonSerializable(typeof(WalletBookConfig))]
[JsonSerializable(typeof(DeltaConfig))]
internal sealed partial class SnapshotConfigContext : JsonSerializerContext;
