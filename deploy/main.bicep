// Yhdessä aika on Azure: Container Apps (two or more instances), one user-assigned managed identity for
// everything (the Bot Framework channel, Graph and Blob state), Blob Storage for the bot's state, Log Analytics,
// and an Azure Bot (UserAssignedMSI) with the Teams channel.
//
//   az deployment group create -g <resource group> -f deploy/main.bicep -p containerImage=<registry>.azurecr.io/yhdessa-aika:<tag> registryName=<registry>
//
// The Graph application permissions and the Exchange RBAC for Applications scope are granted to the identity
// afterwards (deploy/README.md): Bicep cannot consent to Graph permissions.
//
// Across organisations: deploy/graph-app.bicep creates the multi-tenant Graph app that partner tenants consent
// to, trusting this identity through a federated identity credential; pass its client id as graphAppClientId.
//
// The env entries below are the settings the bot reads (bot/settings.py, prefix YA_); a contract test
// (tests/contract/test_deploy_bicep.py) keeps their names in step with the code.

targetScope = 'resourceGroup'

@description('Region of the resources (the Azure Bot itself is global).')
param location string = resourceGroup().location

@description('Prefix of every resource name (lower-case letters, digits and hyphens).')
@minLength(3)
@maxLength(16)
param namePrefix string = 'yhdessa-aika'

@description('The bot\'s container image, built with deploy/Dockerfile (e.g. myregistry.azurecr.io/yhdessa-aika:1.0.0).')
param containerImage string

@description('An Azure Container Registry in this resource group holding the image (empty: a public image). The identity gets AcrPull on it.')
param registryName string = ''

@description('Instances that always run. Two or more: a restart or an update never leaves Teams without the bot.')
@minValue(2)
param minReplicas int = 2

@description('Most instances under load.')
@minValue(2)
param maxReplicas int = 4

@description('Entra tenant ids whose activities the bot serves (comma-separated). Default: this tenant only.')
param allowedTenants string = tenant().tenantId

@description('How the Blob state finds documents by owner and due time: tags (Find Blobs by Tags) or listing.')
@allowed(['tags', 'listing'])
param blobIndex string = 'tags'

@description('Days a finalized meeting\'s reference, dates and ids are kept (YA_RETENTION_DAYS).')
@minValue(1)
@maxValue(3650)
param retentionDays int = 365

@description('Days a deleted state blob stays recoverable (0: deleted at once, as retention intends).')
@minValue(0)
@maxValue(30)
param blobSoftDeleteDays int = 0

@description('Days Log Analytics keeps the bot\'s logs.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

@description('The multi-tenant Graph app for partner organisations (deploy/graph-app.bicep output graphAppClientId). Empty: partners\' calendars are not read (their availability is unknown, or asked by e-mail).')
param graphAppClientId string = ''

@description('Azure Bot pricing tier (Teams is a standard channel: F0 is enough).')
@allowed(['F0', 'S1'])
param botSku string = 'F0'

@description('Replication of the state storage account.')
@allowed(['Standard_LRS', 'Standard_ZRS'])
param storageSku string = 'Standard_ZRS'

var stateContainerName = 'yhdessa-aika-state'
var storageAccountName = take('${replace(namePrefix, '-', '')}${uniqueString(resourceGroup().id)}', 24)
var appName = '${namePrefix}-bot'
var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
var acrPull = '7f951dda-4ed3-4680-a7ca-43fe172d538d'

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${namePrefix}-logs'
  location: location
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: logRetentionDays
  }
}

// The bot's one identity: its Bot Framework app id, its Graph identity and its Blob identity.
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${namePrefix}-identity'
  location: location
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageAccountName
  location: location
  kind: 'StorageV2'
  sku: { name: storageSku }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false // Entra ID (the managed identity) only: no account keys, no SAS
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    isHnsEnabled: false // blob index tags need a flat namespace
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    deleteRetentionPolicy: blobSoftDeleteDays > 0 ? { enabled: true, days: blobSoftDeleteDays } : { enabled: false }
    containerDeleteRetentionPolicy: { enabled: false }
    isVersioningEnabled: false // an old version would keep what retention deleted
  }
}

resource stateContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: stateContainerName
  properties: { publicAccess: 'None' }
}

// Least privilege on the state container: Storage Blob Data Contributor for listing; with index tags, the same
// plus reading, writing and querying tags (Storage Blob Data Owner would also let the bot change ACLs).
resource stateRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = if (blobIndex == 'tags') {
  name: guid(resourceGroup().id, namePrefix, 'yhdessa-aika-state-tags')
  properties: {
    roleName: '${namePrefix} state (blobs with index tags)'
    description: 'Read, write and delete blobs and their index tags, and find blobs by tags.'
    type: 'CustomRole'
    assignableScopes: [resourceGroup().id]
    permissions: [
      {
        actions: [
          'Microsoft.Storage/storageAccounts/blobServices/containers/read'
          'Microsoft.Storage/storageAccounts/blobServices/containers/write'
        ]
        dataActions: [
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write'
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete'
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action'
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/tags/read'
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/tags/write'
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/filter/action'
        ]
      }
    ]
  }
}

resource stateAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(stateContainer.id, identity.id, blobIndex)
  scope: stateContainer
  properties: {
    roleDefinitionId: blobIndex == 'tags' ? stateRole.id : subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = if (!empty(registryName)) {
  name: registryName
}

resource pull 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(registryName)) {
  name: guid(resourceGroup().id, registryName, identity.id, acrPull)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPull)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource appEnvironment 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: '${namePrefix}-env'
  location: location
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: logs.properties.customerId
        sharedKey: logs.listKeys().primarySharedKey
      }
    }
  }
}

// The app's address is known before it exists: <app name>.<environment's default domain>.
var publicUrl = 'https://${appName}.${appEnvironment.properties.defaultDomain}'

resource app 'Microsoft.App/containerApps@2024-03-01' = {
  name: appName
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    managedEnvironmentId: appEnvironment.id
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: {
        external: true
        targetPort: 3978
        transport: 'http'
        allowInsecure: false
      }
      registries: empty(registryName) ? [] : [{ server: '${registryName}${environment().suffixes.acrLoginServer}', identity: identity.id }]
    }
    template: {
      containers: [
        {
          name: 'bot'
          image: containerImage
          resources: { cpu: json('0.5'), memory: '1Gi' }
          env: concat([
            { name: 'YA_MODE', value: 'production' }
            { name: 'YA_HOST', value: '0.0.0.0' }
            { name: 'YA_PORT', value: '3978' }
            { name: 'YA_PUBLIC_URL', value: publicUrl }
            { name: 'YA_CLIENT_ID', value: identity.properties.clientId }
            { name: 'YA_TENANT_ID', value: tenant().tenantId }
            { name: 'YA_CHANNEL_AUTH', value: 'user_managed_identity' }
            { name: 'YA_GRAPH_AUTH', value: 'user_managed_identity' }
            { name: 'YA_GRAPH_BASE_URL', value: 'https://graph.microsoft.com/v1.0' }
            { name: 'YA_ALLOWED_TENANTS', value: allowedTenants }
            { name: 'YA_STATE_BACKEND', value: 'blob' }
            { name: 'YA_BLOB_ACCOUNT_URL', value: storage.properties.primaryEndpoints.blob }
            { name: 'YA_BLOB_CONTAINER', value: stateContainerName }
            { name: 'YA_BLOB_INDEX', value: blobIndex }
            { name: 'YA_RETENTION_DAYS', value: string(retentionDays) }
            { name: 'YA_LOG_LEVEL', value: 'INFO' }
          ], empty(graphAppClientId) ? [] : [
            // Partner tenants: the Graph app's token there, with the identity's token as its assertion (no secret).
            { name: 'YA_GRAPH_CLIENT_ID', value: graphAppClientId }
            { name: 'YA_PARTNER_AUTH', value: 'federated' }
          ])
          probes: [
            { type: 'Liveness', httpGet: { path: '/healthz', port: 3978 }, periodSeconds: 30 }
            { type: 'Readiness', httpGet: { path: '/healthz', port: 3978 }, periodSeconds: 10 }
          ]
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
        rules: [{ name: 'http', http: { metadata: { concurrentRequests: '50' } } }]
      }
    }
  }
  dependsOn: [stateAccess, pull] // the first instance can pull its image and write its state at once
}

// The Teams bot registration: its app id is the identity's client id (no secret anywhere).
resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: '${namePrefix}-${uniqueString(resourceGroup().id)}'
  location: 'global'
  kind: 'azurebot'
  sku: { name: botSku }
  properties: {
    displayName: 'Yhdessä aika'
    endpoint: '${publicUrl}/api/messages'
    msaAppType: 'UserAssignedMSI'
    msaAppId: identity.properties.clientId
    msaAppMSIResourceId: identity.id
    msaAppTenantId: tenant().tenantId
    publicNetworkAccess: 'Enabled'
  }
}

resource teams 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: { isEnabled: true }
  }
}

@description('The messaging endpoint registered with the Azure Bot.')
output messagingEndpoint string = '${publicUrl}/api/messages'

@description('The bot\'s app id: the Teams manifest\'s botId and webApplicationInfo id (make package).')
output botAppId string = identity.properties.clientId

@description('The identity\'s service principal object id: grant Graph permissions and the Exchange scope to it.')
output identityPrincipalId string = identity.properties.principalId

@description('The state storage account.')
output storageAccount string = storage.name
