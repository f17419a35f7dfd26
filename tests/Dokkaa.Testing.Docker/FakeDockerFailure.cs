namespace Dokkaa.Testing.Docker;

/// <summary>A failure <see cref="FakeDockerClient"/> was told to produce: the next <see cref="Times"/> calls of an operation on a matching target throw.</summary>
internal sealed class FakeDockerFailure(string operation, Func<string, bool>? target, Exception error, int times)
{
    public string Operation { get; } = operation;

    public Func<string, bool>? Target { get; } = target;

    public Exception Error { get; } = error;

    public int Times { get; set; } = times;
}
