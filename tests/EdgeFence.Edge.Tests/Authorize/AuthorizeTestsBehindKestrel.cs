namespace EdgeFence.Edge.Tests.Authorize;

/// <summary>The middleware-mode suite on Kestrel's HTTP layer (<c>EdgeFence:FastPath=false</c>).</summary>
public sealed class AuthorizeTestsBehindKestrel : AuthorizeTests
{
    protected override bool FastPath => false;
}
