using MudBlazor;

namespace DograhConsole.Web.Components.Layout;

/// <summary>The console's one theme: its light and dark palettes and type. Change the look here.</summary>
public static class ConsoleTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#4f46e5",
            Secondary = "#0e7490",
            AppbarBackground = "#312e81",
            Background = "#f6f7fb",
            DrawerBackground = "#ffffff",
            Success = "#1b7f3b",
            Warning = "#a15c00",
            Error = "#b3261e",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#8b87ff",
            Secondary = "#67e8f9",
            AppbarBackground = "#1e1b4b",
            Background = "#15161c",
            Surface = "#1f2029",
            DrawerBackground = "#1a1b23",
            Success = "#5fd38a",
            Warning = "#ffb74d",
            Error = "#ff8a80",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica", "Arial", "sans-serif"] },
        },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "8px" },
    };
}
