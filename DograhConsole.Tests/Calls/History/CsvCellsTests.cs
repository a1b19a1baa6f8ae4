using DograhConsole.Core.Calls.History;

namespace DograhConsole.Tests.Calls.History;

[Trait("Category", "Unit")]
public sealed class CsvCellsTests
{
    [Theory]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0")]
    [InlineData("-5", "'-5")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("+14155550100", "+14155550100")]
    [InlineData("sip:agent@pbx", "sip:agent@pbx")]
    [InlineData("plain", "plain")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Cells_that_a_spreadsheet_would_run_start_with_an_apostrophe(string? value, string expected) =>
        Assert.Equal(expected, CsvCells.Cell(value));

    [Fact]
    public void Cells_with_separators_quotes_or_line_breaks_are_quoted()
    {
        Assert.Equal("\"a,b\"", CsvCells.Cell("a,b"));
        Assert.Equal("\"say \"\"hi\"\"\"", CsvCells.Cell("say \"hi\""));
        Assert.Equal("\"line\nbreak\"", CsvCells.Cell("line\nbreak"));
        Assert.Equal("\"'=1,2\"", CsvCells.Cell("=1,2"));
        Assert.Equal("a,\"b,c\",\r\n", CsvCells.Row(["a", "b,c", null]));
    }
}
