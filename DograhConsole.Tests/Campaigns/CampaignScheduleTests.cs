using DograhConsole.Core.Campaigns;
using DograhConsole.Core.Common;

namespace DograhConsole.Tests.Campaigns;

[Trait("Category", "Unit")]
public sealed class CampaignScheduleTests
{
    private static CampaignSchedule Weekdays(string zone, string start = "09:00", string end = "17:00") => new()
    {
        TimeZone = zone,
        Slots = [.. new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday }
            .Select(d => new ScheduleSlot { Day = d, Start = start, End = end })],
    };

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text + "Z", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void A_window_follows_the_wall_clock_of_its_zone_in_winter_and_in_summer()
    {
        var newYork = Weekdays("America/New_York");
        // Winter: EST, UTC-5. Monday 2026-01-12 09:00 local = 14:00 UTC.
        Assert.False(newYork.IsOpen(Utc("2026-01-12T13:59:59")));
        Assert.True(newYork.IsOpen(Utc("2026-01-12T14:00:00")));
        Assert.True(newYork.IsOpen(Utc("2026-01-12T21:59:59")));
        Assert.False(newYork.IsOpen(Utc("2026-01-12T22:00:00")));
        // Summer: EDT, UTC-4. Monday 2026-07-13 09:00 local = 13:00 UTC.
        Assert.True(newYork.IsOpen(Utc("2026-07-13T13:00:00")));
        Assert.False(newYork.IsOpen(Utc("2026-07-13T21:00:00")));

        // The same instant is inside the window in Kolkata (UTC+5:30) and outside it in New York.
        var instant = Utc("2026-01-12T05:00:00"); // 10:30 Monday in Kolkata, 00:00 Monday in New York
        Assert.True(Weekdays("Asia/Kolkata").IsOpen(instant));
        Assert.False(newYork.IsOpen(instant));
        // Auckland is a day ahead: Friday 22:00 UTC is Saturday 11:00 there (NZDT, UTC+13), closed.
        Assert.False(Weekdays("Pacific/Auckland").IsOpen(Utc("2026-01-16T22:00:00")));
        Assert.True(Weekdays("Pacific/Auckland").IsOpen(Utc("2026-01-15T22:00:00")));
    }

    [Fact]
    public void Next_opening_wraps_the_week_and_crosses_a_spring_forward_change()
    {
        var newYork = Weekdays("America/New_York");
        // Friday 2026-03-06 17:30 EST: the next opening is Monday 2026-03-09 09:00, after the US change on Sunday 03-08,
        // so it is 13:00 UTC (EDT), not 14:00.
        Assert.Equal(Utc("2026-03-09T13:00:00"), newYork.NextOpening(Utc("2026-03-06T22:30:00")));
        // Open now: now.
        var now = Utc("2026-03-09T15:00:00");
        Assert.Equal(now, newYork.NextOpening(now));
        // London changes on 2026-03-29; Monday 03-30 09:00 BST is 08:00 UTC.
        Assert.Equal(Utc("2026-03-30T08:00:00"), Weekdays("Europe/London").NextOpening(Utc("2026-03-27T18:00:00")));
    }

    [Fact]
    public void A_slot_in_the_skipped_hour_opens_when_the_gap_ends_and_the_repeated_hour_opens_once()
    {
        // Sunday 2026-03-08, New York: 02:00 EST jumps to 03:00 EDT. A 02:30-04:00 slot opens at 03:00 EDT = 07:00 UTC.
        var gap = new CampaignSchedule { TimeZone = "America/New_York", Slots = [new ScheduleSlot { Day = DayOfWeek.Sunday, Start = "02:30", End = "04:00" }] };
        Assert.Equal(Utc("2026-03-08T07:00:00"), gap.NextOpening(Utc("2026-03-08T05:00:00")));
        Assert.True(gap.IsOpen(Utc("2026-03-08T07:30:00")));
        Assert.False(gap.IsOpen(Utc("2026-03-08T08:00:00")));

        // Sunday 2026-11-01: 02:00 EDT falls back to 01:00 EST. A 01:00-03:00 slot opens at the first 01:00 (05:00 UTC)
        // and covers both passes through 01:xx, closing at 03:00 EST (08:00 UTC): three real hours.
        var overlap = new CampaignSchedule { TimeZone = "America/New_York", Slots = [new ScheduleSlot { Day = DayOfWeek.Sunday, Start = "01:00", End = "03:00" }] };
        Assert.Equal(Utc("2026-11-01T05:00:00"), overlap.NextOpening(Utc("2026-11-01T03:00:00")));
        Assert.True(overlap.IsOpen(Utc("2026-11-01T06:30:00")));
        Assert.True(overlap.IsOpen(Utc("2026-11-01T07:59:00")));
        Assert.False(overlap.IsOpen(Utc("2026-11-01T08:00:00")));
    }

    [Fact]
    public void No_slots_means_any_time_and_bad_slots_are_refused()
    {
        Assert.True(new CampaignSchedule().IsOpen(Utc("2026-01-01T03:00:00")));
        var errors = new ValidationErrors();
        new CampaignSchedule { TimeZone = "Mars/Olympus", Slots = [new ScheduleSlot { Day = DayOfWeek.Monday, Start = "10:00", End = "09:00" }, new ScheduleSlot { Start = "25:00" }] }
            .Validate(errors, "settings.schedule");
        var fields = errors.ToDictionary().Keys;
        Assert.Contains("settings.schedule.timeZone", fields);
        Assert.Contains("settings.schedule.slots[0].end", fields);
        Assert.Contains("settings.schedule.slots[1].start", fields);
    }
}
