using System.Management.Automation;

namespace Dokkaa.PowerShell;

/// <summary>Refuses a zero or negative <see cref="TimeSpan"/> with a message that says so.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ValidatePositiveDurationAttribute : ValidateArgumentsAttribute
{
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        var value = arguments is PSObject wrapped ? wrapped.BaseObject : arguments;
        if (value is TimeSpan span && span <= TimeSpan.Zero)
            throw new ValidationMetadataException($"The duration must be more than zero; got {span}.");
    }
}
