window.dograh = {
    // Set once the interactive circuit has rendered, so tests and scripts know clicks now reach the server.
    markInteractive: () => { document.body.dataset.interactive = "true"; },
    showTheme: (mode) => { document.documentElement.dataset.theme = mode; },
    loadSetting: (key) => { try { return localStorage.getItem(key); } catch { return null; } },
    saveSetting: (key, value) => { try { localStorage.setItem(key, value); } catch { } },
    timeZone: () => Intl.DateTimeFormat().resolvedOptions().timeZone,
    copyText: async (text) => {
        await navigator.clipboard.writeText(text);
        return true;
    },
    download: (fileName, contentType, text) => {
        const url = URL.createObjectURL(new Blob([text], { type: contentType }));
        const link = document.createElement("a");
        link.href = url;
        link.download = fileName;
        link.click();
        URL.revokeObjectURL(url);
    }
};
