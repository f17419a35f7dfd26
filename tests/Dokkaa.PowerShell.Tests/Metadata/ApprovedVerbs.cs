namespace Dokkaa.PowerShell.Tests.Metadata;

/// <summary>
/// PowerShell's approved verbs (what <c>Get-Verb</c> lists in PowerShell 7.4), written out here because no
/// PowerShell runtime exists to ask. Importing a module whose cmdlets use any other verb warns.
/// </summary>
public static class ApprovedVerbs
{
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        // Common
        "Add", "Clear", "Close", "Copy", "Enter", "Exit", "Find", "Format", "Get", "Hide", "Join", "Lock", "Move", "New",
        "Open", "Optimize", "Pop", "Push", "Redo", "Remove", "Rename", "Reset", "Resize", "Search", "Select", "Set", "Show",
        "Skip", "Split", "Step", "Switch", "Undo", "Unlock", "Watch",
        // Communications
        "Connect", "Disconnect", "Read", "Receive", "Send", "Write",
        // Data
        "Backup", "Checkpoint", "Compare", "Compress", "Convert", "ConvertFrom", "ConvertTo", "Dismount", "Edit", "Expand",
        "Export", "Group", "Import", "Initialize", "Limit", "Merge", "Mount", "Out", "Publish", "Restore", "Save", "Sync",
        "Unpublish", "Update",
        // Diagnostic
        "Debug", "Measure", "Ping", "Repair", "Resolve", "Test", "Trace",
        // Lifecycle
        "Approve", "Assert", "Build", "Complete", "Confirm", "Deny", "Deploy", "Disable", "Enable", "Install", "Invoke",
        "Register", "Request", "Restart", "Resume", "Start", "Stop", "Submit", "Suspend", "Uninstall", "Unregister", "Wait",
        // Security
        "Block", "Grant", "Protect", "Revoke", "Unblock", "Unprotect",
        // Other
        "Use",
    };

    /// <summary>
    /// Verbs that change state outside the session: a cmdlet with one of them must support ShouldProcess
    /// (PSScriptAnalyzer's PSUseShouldProcessForStateChangingFunctions list, plus the other writing verbs).
    /// </summary>
    public static readonly IReadOnlySet<string> StateChanging = new HashSet<string>(StringComparer.Ordinal)
    {
        "Add", "Clear", "Move", "Optimize", "Remove", "Rename", "Reset", "Set", "Update", "Start", "Stop", "Restart", "Suspend",
        "Resume", "Install", "Uninstall", "Register", "Unregister", "Publish", "Unpublish", "Enable", "Disable",
        "Deploy", "Invoke", "Merge", "Restore", "Sync", "Grant", "Revoke", "Protect", "Unprotect", "Block", "Unblock",
    };

    /// <summary>
    /// The verbs the module uses that do not change the cluster: reading (Get, Test, Resolve, Wait), building an
    /// object in memory (New-DokkaaManifest writes nothing anywhere) and choosing the session's cluster
    /// (Connect, Disconnect). A new cmdlet with a verb in neither list fails the test until someone decides.
    /// </summary>
    public static readonly IReadOnlySet<string> ReadOnlyInThisModule = new HashSet<string>(StringComparer.Ordinal)
    {
        "Get", "Test", "Resolve", "Wait", "New", "Connect", "Disconnect",
    };
}
