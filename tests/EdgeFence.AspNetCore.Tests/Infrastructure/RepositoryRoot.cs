namespace EdgeFence.AspNetCore.Tests.Infrastructure;

/// <summary>The checkout the tests run from: the first directory above the test binaries that holds EdgeFence.sln.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "EdgeFence.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no EdgeFence.sln above {AppContext.BaseDirectory}");
    }
}
