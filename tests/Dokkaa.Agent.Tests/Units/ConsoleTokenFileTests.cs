using System.Runtime.Versioning;
using Dokkaa.Agent.Hosting;
using Xunit;

namespace Dokkaa.Agent.Tests.Units;

/// <summary>The generated console token's file, on the real file system: owner-only, whatever was there before.</summary>
[UnsupportedOSPlatform("windows")] // file modes; the agent runs on Linux
public sealed class ConsoleTokenFileTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dokkaa-token-" + Guid.NewGuid().ToString("N"));

    private string FilePath => Path.Combine(_dir, "console-token");

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void The_token_is_written_readable_by_its_owner_only_into_a_new_data_directory()
    {
        ConsoleTokenFile.Write(_dir, "tok-1");

        Assert.Equal(FilePath, ConsoleTokenFile.PathIn(_dir));
        Assert.Equal("tok-1", File.ReadAllText(FilePath).Trim());
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(FilePath));
        Assert.Equal(new[] { FilePath }, Directory.GetFiles(_dir));
    }

    [Fact]
    public void A_file_an_earlier_run_left_readable_by_everyone_is_replaced_not_rewritten()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(FilePath, "a-much-longer-old-token-than-the-new-one");
        File.SetUnixFileMode(FilePath, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        ConsoleTokenFile.Write(_dir, "tok-2");

        Assert.Equal("tok-2", File.ReadAllText(FilePath).Trim());
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(FilePath));
    }

    [Fact]
    public void Remove_deletes_an_old_token_and_minds_neither_a_missing_file_nor_a_missing_directory()
    {
        ConsoleTokenFile.Remove(_dir);
        ConsoleTokenFile.Write(_dir, "tok-3");

        ConsoleTokenFile.Remove(_dir);
        ConsoleTokenFile.Remove(_dir);

        Assert.False(File.Exists(FilePath));
    }
}
