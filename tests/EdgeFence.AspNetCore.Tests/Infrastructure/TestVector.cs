namespace EdgeFence.AspNetCore.Tests.Infrastructure;

/// <summary>
/// The shared signature test vector, also printed in the README ("Test vector"): every implementation
/// of the canonical string, in any language, must produce <see cref="Header"/> from these inputs.
/// </summary>
public static class TestVector
{
    public const string Key = "test-hmac-secret-of-at-least-32-bytes!!";
    public const long Timestamp = 1790000000;
    public const string Method = "POST";
    public const string Target = "/internal/chat?x=1&api_key=k";
    public const string TokenId = "t-basic";
    public const string Customer = "acme";
    public const string Plan = "plan-basic";
    public const string RequestId = "0123456789abcdef0123456789abcdef";
    public const string Charged = "2500 USD";
    public const string Header = "t=1790000000,v2=075c309818e4575f5ebb866a990b18ab226beeae8c0472af726af20b7222438b";

    /// <summary>The version 1 header of the same inputs (no charge), as edges before signature v2 sent it.</summary>
    public const string HeaderV1 = "t=1790000000,v1=7d9663243d7cc8a9eaa9d902eaabcf032ce3a0b7592308cbf98fdfed7cb3d306";
}
