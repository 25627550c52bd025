using ContainerSdk.Core.Sbom;

namespace ContainerSdk.Core.Tests.Sbom;

public sealed class SpdxExpressionTests
{
    [Theory]
    [InlineData("MIT", "MIT")]
    [InlineData(" apache-2.0 ", "Apache-2.0")]
    [InlineData("BSD-3-Clause-Open-MPI", "BSD-3-Clause-Open-MPI")]
    [InlineData("GPL-2.0-or-later", "GPL-2.0-or-later")]
    internal void One_listed_id_is_an_id_in_SPDX_spelling(string written, string id) =>
        Assert.Equal(new LicenseText(LicenseForm.Id, id), SpdxExpression.Classify(written));

    [Theory]
    [InlineData("MIT OR Apache-2.0", "MIT OR Apache-2.0")]
    [InlineData("gpl-2.0-only WITH classpath-exception-2.0", "GPL-2.0-only WITH Classpath-exception-2.0")]
    [InlineData("(MIT OR BSD-2-Clause) AND Zlib", "(MIT OR BSD-2-Clause) AND Zlib")]
    [InlineData("Apache-2.0+", "Apache-2.0+")]
    [InlineData("LicenseRef-ACME-Suite", "LicenseRef-ACME-Suite")]
    [InlineData("DocumentRef-site:LicenseRef-ACME", "DocumentRef-site:LicenseRef-ACME")]
    internal void A_valid_expression_is_an_expression_in_SPDX_spelling(string written, string expression) =>
        Assert.Equal(new LicenseText(LicenseForm.Expression, expression), SpdxExpression.Classify(written));

    [Theory]
    [InlineData("Commercial, 20 seats (see /opt/suite/LICENSE)")]
    [InlineData("Not-A-Real-Licence-1.0")]
    [InlineData("MIT or Apache-2.0")]       // operators are upper case
    [InlineData("MIT OR")]
    [InlineData("(MIT")]
    [InlineData("MIT WITH MIT")]            // WITH takes an exception
    [InlineData("LicenseRef-")]
    [InlineData("MIT AND AND Zlib")]
    internal void Anything_else_is_a_named_licence_as_written(string written) =>
        Assert.Equal(new LicenseText(LicenseForm.Named, written.Trim()), SpdxExpression.Classify(written));
}
