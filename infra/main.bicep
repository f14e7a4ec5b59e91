// Sign-in Desk on Azure: the Azure Bot registration, App Service on Linux (Node 22, two instances), the Blob
// container the instances share, Key Vault for the secrets, Application Insights and Log Analytics.
// Deployed by the Microsoft 365 Agents Toolkit (m365agents.yml, arm/deploy) or by `az deployment group create`
// (docs/deploy.md). main.json is this file compiled by hand for checks without the Bicep CLI: change both together
// (test/deploy/infra.test.ts compares them, and compares them with `bicep build` where Bicep is installed).

@minLength(4)
@maxLength(20)
@description('Prefix of every resource name. The web app and the bot are <resourceBaseName>; must be globally unique.')
param resourceBaseName string

@description('Azure region of everything but the bot registration, which is global.')
param location string = resourceGroup().location

@allowed([
  'SingleTenant'
  'UserAssignedMSI'
])
@description('SingleTenant: the bot is an Entra app with a client secret (botAppId, botAppPassword), which also reads Graph, so resource-specific consent works. UserAssignedMSI: the bot, Graph and storage all use the managed identity this template creates; no secret anywhere.')
param botIdentityType string = 'SingleTenant'

@description('SingleTenant only: the Entra app (client) id of the bot.')
param botAppId string = ''

@secure()
@description('SingleTenant only: a client secret of that app. Stored in Key Vault; the web app reads it by Key Vault reference.')
param botAppPassword string = ''

@description('The Entra tenant of the bot (and of Graph).')
param botTenantId string = subscription().tenantId

@maxLength(42)
param botDisplayName string = 'Sign-in Desk'

@allowed([
  'F0'
  'S1'
])
param botServiceSku string = 'F0'

@description('App Service plan SKU; B1 and above can run more than one instance.')
param appServicePlanSku string = 'B1'

@minValue(1)
@description('Instances of the bot. They share the Blob container; SQLite is never used here.')
param instanceCount int = 2

@minLength(3)
@maxLength(63)
param storageContainerName string = 'signin-desk'

@description('ALLOWED_TENANT_IDS: comma-separated tenant ids whose users may use the bot. Empty: the bot\'s own tenant.')
param allowedTenantIds string = ''

@description('ADMIN_GROUP_ID: a group whose members may query other users\' licences. Empty: admin roles only.')
param adminGroupId string = ''

@description('SUPPORT_CHANNEL_ID: the channel (19:...@thread.tacv2) for new tickets. Empty: register one in Teams.')
param supportChannelId string = ''

@description('SUPPORT_TEAM_GROUP_ID: the group id of the team that holds the support channel.')
param supportTeamGroupId string = ''

@allowed([
  'ja'
  'en'
])
param supportLanguage string = 'ja'

param supportTimeZone string = 'Asia/Tokyo'

@allowed([
  'debug'
  'info'
  'warn'
  'error'
])
param logLevel string = 'info'

@minValue(30)
param logRetentionInDays int = 30

var usesManagedIdentityBot = botIdentityType == 'UserAssignedMSI'
var identityName = '${resourceBaseName}-id'
var planName = '${resourceBaseName}-plan'
var webAppName = resourceBaseName
var botServiceName = resourceBaseName
var logAnalyticsName = '${resourceBaseName}-logs'
var appInsightsName = '${resourceBaseName}-insights'
// Globally unique, within the length limits of vault (24) and storage account (24, lowercase) names.
var keyVaultName = 'kv${uniqueString(resourceGroup().id, resourceBaseName)}'
var storageAccountName = 'st${uniqueString(resourceGroup().id, resourceBaseName)}'
var botPasswordSecretName = 'bot-app-password'
var storageConnectionSecretName = 'storage-connection-string'
// No version in the URI: App Service follows the secret's latest version.
var botPasswordSecretUri = 'https://${keyVaultName}${environment().suffixes.keyvaultDns}/secrets/${botPasswordSecretName}/'
var storageConnectionSecretUri = 'https://${keyVaultName}${environment().suffixes.keyvaultDns}/secrets/${storageConnectionSecretName}/'
// Built-in role definitions.
var storageBlobDataContributorRoleId = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: identityName
  location: location
}

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2022-10-01' = {
  name: logAnalyticsName
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: logRetentionInDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
  }
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageAccountName
  location: location
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    // The bot reads the account with its managed identity only when AZURE_CLIENT_ID is that identity
    // (UserAssignedMSI); with a SingleTenant bot AZURE_CLIENT_ID is the bot's app, so it needs the account key.
    allowSharedKeyAccess: !usesManagedIdentityBot
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource container 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: storageContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource blobDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, storageBlobDataContributorRoleId)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributorRoleId)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: keyVaultName
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
  }
}

resource keyVaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(keyVault.id, identity.id, keyVaultSecretsUserRoleId)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource botPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!usesManagedIdentityBot) {
  parent: keyVault
  name: botPasswordSecretName
  properties: {
    value: botAppPassword
  }
}

resource storageConnectionSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!usesManagedIdentityBot) {
  parent: keyVault
  name: storageConnectionSecretName
  properties: {
    value: 'DefaultEndpointsProtocol=https;AccountName=${storage.name};AccountKey=${storage.listKeys().keys[0].value};EndpointSuffix=${environment().suffixes.storage}'
  }
}

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: planName
  location: location
  kind: 'linux'
  sku: {
    name: appServicePlanSku
    capacity: instanceCount
  }
  properties: {
    reserved: true
  }
}

resource webApp 'Microsoft.Web/sites@2023-12-01' = {
  name: webAppName
  location: location
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Any instance can take any turn: state lives in the shared container, not in the process.
    clientAffinityEnabled: false
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      linuxFxVersion: 'NODE|22-lts'
      appCommandLine: 'node dist/bot/index.js'
      alwaysOn: true
      // /healthz, not /readyz: a Graph outage must not take every instance out of the load balancer.
      healthCheckPath: '/healthz'
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      webSocketsEnabled: false
    }
  }
}

// One literal name per variable that bot/config.ts reads; an empty value means unset to the bot.
resource appSettings 'Microsoft.Web/sites/config@2023-12-01' = {
  parent: webApp
  name: 'appsettings'
  properties: {
    NODE_ENV: 'production'
    LOG_LEVEL: logLevel
    PUBLIC_BASE_URL: 'https://${webApp.properties.defaultHostName}'
    MicrosoftAppType: botIdentityType
    MicrosoftAppId: usesManagedIdentityBot ? identity.properties.clientId : botAppId
    MicrosoftAppPassword: usesManagedIdentityBot ? '' : '@Microsoft.KeyVault(SecretUri=${botPasswordSecretUri})'
    MicrosoftAppTenantId: botTenantId
    ALLOWED_TENANT_IDS: empty(allowedTenantIds) ? botTenantId : allowedTenantIds
    AZURE_STORAGE_ACCOUNT_URL: usesManagedIdentityBot ? storage.properties.primaryEndpoints.blob : ''
    AZURE_STORAGE_CONNECTION_STRING: usesManagedIdentityBot ? '' : '@Microsoft.KeyVault(SecretUri=${storageConnectionSecretUri})'
    AZURE_STORAGE_CONTAINER: storageContainerName
    // Graph: the bot's own identity, so that the team's resource-specific consent applies to it.
    AZURE_TENANT_ID: botTenantId
    AZURE_CLIENT_ID: usesManagedIdentityBot ? identity.properties.clientId : botAppId
    AZURE_CLIENT_SECRET: usesManagedIdentityBot ? '' : '@Microsoft.KeyVault(SecretUri=${botPasswordSecretUri})'
    AZURE_USE_MANAGED_IDENTITY: usesManagedIdentityBot ? 'true' : 'false'
    ADMIN_GROUP_ID: adminGroupId
    SUPPORT_CHANNEL_ID: supportChannelId
    SUPPORT_TEAM_GROUP_ID: supportTeamGroupId
    SUPPORT_LANGUAGE: supportLanguage
    SUPPORT_TIME_ZONE: supportTimeZone
    // The bot sends its OpenTelemetry traces and metrics there itself (bot/telemetry.ts).
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
    // The deployment zip holds dist/ and the lock file; App Service installs production dependencies on Linux,
    // so native modules match the platform, and skips `npm run build` (dist/ is already built).
    SCM_DO_BUILD_DURING_DEPLOYMENT: 'true'
    CUSTOM_BUILD_COMMAND: 'npm ci --omit=dev'
  }
  dependsOn: [
    blobDataContributor
    keyVaultSecretsUser
    botPasswordSecret
    storageConnectionSecret
    container
  ]
}

// The bot's JSON log lines (stdout), the HTTP log and platform events, queryable in Log Analytics.
resource webAppDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: webApp
  properties: {
    workspaceId: logAnalytics.id
    logs: [
      {
        category: 'AppServiceConsoleLogs'
        enabled: true
      }
      {
        category: 'AppServiceHTTPLogs'
        enabled: true
      }
      {
        category: 'AppServicePlatformLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

resource botService 'Microsoft.BotService/botServices@2022-09-15' = {
  name: botServiceName
  location: 'global'
  kind: 'azurebot'
  sku: {
    name: botServiceSku
  }
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${webApp.properties.defaultHostName}/api/messages'
    msaAppType: botIdentityType
    msaAppId: usesManagedIdentityBot ? identity.properties.clientId : botAppId
    msaAppTenantId: botTenantId
    msaAppMSIResourceId: usesManagedIdentityBot ? identity.id : null
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: botService
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
  }
}

// Written by the Toolkit into env/.env.<environment> (upper-cased); used by the deploy stage and docs/deploy.md.
output AZURE_APP_SERVICE_RESOURCE_ID string = webApp.id
output WEB_APP_NAME string = webApp.name
output BOT_DOMAIN string = webApp.properties.defaultHostName
output BOT_ENDPOINT string = 'https://${webApp.properties.defaultHostName}'
output BOT_ID string = usesManagedIdentityBot ? identity.properties.clientId : botAppId
output MANAGED_IDENTITY_CLIENT_ID string = identity.properties.clientId
output MANAGED_IDENTITY_PRINCIPAL_ID string = identity.properties.principalId
output KEY_VAULT_NAME string = keyVault.name
output STORAGE_ACCOUNT_NAME string = storage.name
output APPLICATION_INSIGHTS_NAME string = appInsights.name
output LOG_ANALYTICS_WORKSPACE_NAME string = logAnalytics.name
