namespace Dokkaa.PowerShell;

/// <summary>
/// Where each cmdlet's help page is online (<c>Get-Help -Online</c>, the HelpUri of every cmdlet): the
/// markdown page under docs/cmdlets that the module's help is built from.
/// </summary>
internal static class HelpUris
{
    public const string Base = "https://github.com/dokkaa/dokkaa/blob/main/docs/cmdlets/";
}
