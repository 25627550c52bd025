using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Engine;
using ContainerSdk.Core.Inputs;
using ContainerSdk.Core.Registry;

namespace ContainerSdk.Tests.Registry;

/// <summary>ContainerRegistryTimeout: parsed once, defaulted so that a silent server is given up within about a minute.</summary>
public sealed class RegistryTimeoutPropertyTests
{
    [Theory]
    [InlineData(null, 20)]
    [InlineData("", 20)]
    [InlineData(" 7 ", 7)]
    [InlineData("3600", 3600)]
    public void A_timeout_in_seconds_reaches_the_registry_options(string? text, int seconds)
    {
        var options = Composition.Registries(null, Properties.RegistryTimeout(text));
        Assert.Equal(TimeSpan.FromSeconds(seconds), options.ResponseTimeout);
        Assert.Equal(TimeSpan.FromSeconds(seconds * RegistryOptions.WaitBudgetPerOperation), options.OperationWaitBudget);
    }

    [Fact]
    public void The_default_gives_a_silent_server_up_within_about_a_minute()
    {
        var options = Composition.Registries(null);
        Assert.InRange(options.OperationWaitBudget, TimeSpan.FromSeconds(45), TimeSpan.FromSeconds(75));
        Assert.Equal(TimeSpan.FromSeconds(Properties.DefaultRegistryTimeout), new RegistryOptions().ResponseTimeout);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("1.5")]
    [InlineData("20s")]
    [InlineData("3601")]
    public void A_timeout_that_is_not_whole_seconds_is_refused_naming_the_property(string text)
    {
        var e = Assert.Throws<ContainerSdkException>(() => Properties.RegistryTimeout(text));
        Assert.Equal(Codes.InvalidProperty, e.Code);
        Assert.StartsWith($"ContainerRegistryTimeout is '{text}'", e.Message);
    }
}
