using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Core.Telephony.PhoneNumbers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DograhConsole.Core.Telephony;

public static class TelephonyApi
{
    public static IEndpointRouteBuilder MapTelephonyApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/telephony").WithTags("Telephony providers").RequireAuthorization(DograhPolicies.Admin)
            .MapGet("/providers", (ProviderRegistry registry) => Results.Ok(registry.All.Select(ProviderSpecView.From)));

        var configurations = app.MapGroup("/api/v1/telephony-configs").WithTags("Telephony configurations").RequireAuthorization(DograhPolicies.Admin);
        configurations.MapGet("/", async (TelephonyConfigurationService service, CancellationToken ct) => Results.Ok(await service.ListAsync(ct)));
        configurations.MapPost("/", async (TelephonyConfigurationInput input, TelephonyConfigurationService service, CancellationToken ct) =>
            (await service.CreateAsync(input, ct)).ToHttpResult(view => Results.Created($"/api/v1/telephony-configs/{view.Id}", view)));
        configurations.MapGet("/{id:guid}", async (Guid id, TelephonyConfigurationService service, CancellationToken ct) =>
            (await service.GetAsync(id, ct)).ToHttpResult(Results.Ok));
        configurations.MapPut("/{id:guid}", async (Guid id, TelephonyConfigurationInput input, TelephonyConfigurationService service, CancellationToken ct) =>
            (await service.UpdateAsync(id, input, ct)).ToHttpResult(Results.Ok));
        configurations.MapDelete("/{id:guid}", async (Guid id, TelephonyConfigurationService service, CancellationToken ct) =>
            (await service.DeleteAsync(id, ct)).ToHttpResult(_ => Results.NoContent()));
        configurations.MapPost("/{id:guid}/default-outbound", async (Guid id, TelephonyConfigurationService service, CancellationToken ct) =>
            (await service.SetDefaultOutboundAsync(id, ct)).ToHttpResult(Results.Ok));
        configurations.MapPost("/{id:guid}/reactivate", async (Guid id, TelephonyConfigurationService service, CancellationToken ct) =>
            (await service.ReactivateAsync(id, ct)).ToHttpResult(Results.Ok));

        var numbers = configurations.MapGroup("/{id:guid}/phone-numbers").WithTags("Phone numbers");
        numbers.MapGet("/", async (Guid id, PhoneNumberService service, CancellationToken ct) =>
            (await service.ListAsync(id, ct)).ToHttpResult(Results.Ok));
        numbers.MapPost("/", async (Guid id, PhoneNumberInput input, PhoneNumberService service, CancellationToken ct) =>
            (await service.CreateAsync(id, input, ct)).ToHttpResult(view => Results.Created($"/api/v1/telephony-configs/{id}/phone-numbers/{view.Id}", view)));
        numbers.MapPut("/{numberId:guid}", async (Guid id, Guid numberId, PhoneNumberInput input, PhoneNumberService service, CancellationToken ct) =>
            (await service.UpdateAsync(id, numberId, input, ct)).ToHttpResult(Results.Ok));
        numbers.MapDelete("/{numberId:guid}", async (Guid id, Guid numberId, PhoneNumberService service, CancellationToken ct) =>
            (await service.DeleteAsync(id, numberId, ct)).ToHttpResult(_ => Results.NoContent()));
        return app;
    }
}

/// <summary>A provider spec as the API describes it.</summary>
public sealed record ProviderSpecView(
    string Name, string DisplayName, string Description, ProviderKind Kind, string MediaFormat,
    IReadOnlyList<AddressType> AddressTypes, IReadOnlyList<CredentialFieldView> Fields)
{
    public static ProviderSpecView From(ProviderSpec spec) => new(spec.Name, spec.DisplayName, spec.Description, spec.Kind,
        spec.MediaFormat.ToString(), spec.AddressTypes.Order().ToList(),
        spec.Fields.Select(f => new CredentialFieldView(f.Name, f.Label, f.Type, f.Required, f.Sensitive, f.HelpText, f.Placeholder,
            f.DefaultValue, f.Advanced, f.Options, f.MaxLength)).ToList());
}

public sealed record CredentialFieldView(
    string Name, string Label, CredentialFieldType Type, bool Required, bool Sensitive, string? HelpText, string? Placeholder,
    string? DefaultValue, bool Advanced, IReadOnlyList<string>? Options, int MaxLength);
