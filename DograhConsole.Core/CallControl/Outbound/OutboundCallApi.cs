using DograhConsole.Core.Calls;
using DograhConsole.Core.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DograhConsole.Core.CallControl.Outbound;

public static class OutboundCallApi
{
    public static IEndpointRouteBuilder MapOutboundCallApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/telephony").WithTags("Calls").RequireAuthorization(DograhPolicies.Operator)
            .MapPost("/initiate-call", async (InitiateCallRequest request, OutboundCallService service, OrganizationContext organization, CancellationToken ct) =>
                (await service.InitiateAsync(organization.RequireOrganizationId(), request, ct))
                .ToCallHttpResult(call => Results.Accepted($"/api/v1/calls/{call.Id}", new InitiateCallResponse(call.Id))));
        return app;
    }
}
