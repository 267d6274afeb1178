// The multi-tenant Graph app registration for partner organisations (teams file: access: partner), with a
// federated identity credential that trusts the bot's user-assigned managed identity: the identity's token for
// api://AzureADTokenExchange is the app's client assertion in each partner tenant, so no secret exists.
//
// The Azure Bot stays single-tenant (UserAssignedMSI, deploy/main.bicep): new multi-tenant Azure Bots can no
// longer be created (after 31.7.2025). This app is only for Graph in the partners' tenants; in the home
// tenant the bot keeps calling Graph as the managed identity itself.
//
// Uses the Microsoft Graph Bicep extension, so it is deployed apart from main.bicep by someone who may create
// app registrations (Application Administrator, or Application.ReadWrite.OwnedBy for an automation identity):
//
//   az deployment group create -g <resource group> -f deploy/graph-app.bicep \
//     -p identityPrincipalId=<main.bicep output identityPrincipalId>
//
// then pass its output graphAppClientId to main.bicep (-p graphAppClientId=...), which sets the bot's Graph
// client id and federated partner authentication. Each partner's administrator then consents
// (deploy/README.md, "Across organisations").

extension 'br:mcr.microsoft.com/bicep/extensions/microsoftgraph/v1.0:1.0.0'

@description('The bot\'s user-assigned managed identity\'s principal (object) id: main.bicep output identityPrincipalId.')
param identityPrincipalId string

@description('Unique name of the app registration in this tenant (the Graph extension\'s idempotent key).')
param uniqueName string = 'yhdessa-aika-partner-graph'

@description('Also ask partners for Files.ReadWrite.All, so that plans go to their own workers\' OneDrives. Off: plans stay in the near worker\'s OneDrive and are shared by address.')
param plansInPartnerOneDrive bool = false

var graphAppId = '00000003-0000-0000-c000-000000000000'
// Microsoft Graph application permissions (app roles); admin consent in a partner tenant grants exactly these.
var calendarsReadWrite = 'ef54d2bf-783f-4e0f-bca1-3210c0444d99' // free/busy (getSchedule) and the next contact
var filesReadWriteAll = '75359482-378d-4052-8f01-80520e7db3cd' // only when plans go to their OneDrives

resource graphApp 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: uniqueName
  displayName: 'Yhdessä aika (partner organisations)'
  signInAudience: 'AzureADMultipleOrgs'
  requiredResourceAccess: [
    {
      resourceAppId: graphAppId
      resourceAccess: concat(
        [{ id: calendarsReadWrite, type: 'Role' }],
        plansInPartnerOneDrive ? [{ id: filesReadWriteAll, type: 'Role' }] : []
      )
    }
  ]

  // The bot's managed identity, in this (home) tenant, is the only credential the app has.
  resource botIdentity 'federatedIdentityCredentials@v1.0' = {
    name: '${graphApp.uniqueName}/yhdessa-aika-bot-identity'
    description: 'The Yhdessä aika bot\'s user-assigned managed identity (no secret).'
    issuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
    subject: identityPrincipalId
    audiences: ['api://AzureADTokenExchange']
  }
}

@description('The multi-tenant Graph app\'s client id: main.bicep parameter graphAppClientId.')
output graphAppClientId string = graphApp.appId

@description('Each partner organisation\'s administrator opens this with their tenant id in place of {tenant} and consents.')
output adminConsentUrl string = 'https://login.microsoftonline.com/{tenant}/adminconsent?client_id=${graphApp.appId}'
