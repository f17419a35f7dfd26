namespace Dokkaa.Agent.Ambassador;

/// <summary>
/// Keeps the listeners a container is about to be created with from being released until the container exists.
/// The release sweep decides from Docker's list of containers; one still being created is not in that list yet.
/// Dispose it once the container was created (or creating it failed).
/// </summary>
public sealed class LinkPin : IDisposable
{
    private readonly List<Action> _unpins = new();

    internal void Add(Action unpin)
    {
        lock (_unpins)
            _unpins.Add(unpin);
    }

    public void Dispose()
    {
        Action[] unpins;
        lock (_unpins)
        {
            unpins = _unpins.ToArray();
            _unpins.Clear();
        }

        foreach (var unpin in unpins)
            unpin();
    }
}
