#include "RegistryLogin.h"

#include "RegistryError.h"
#include "RegistryName.h"

#include "engine/DockerClient.h"

#include <QJsonDocument>
#include <QJsonObject>

RegistryLogin::RegistryLogin(DockerClient *client, QObject *parent)
    : QObject(parent), m_client(client), m_calls(new QObject(this))
{
}

void RegistryLogin::start(RegistryCredential credential)
{
    const QString named = credential.serverAddress;
    credential.serverAddress = RegistryName::key(named);
    if (credential.username.isEmpty() || credential.password.isEmpty()) {
        emit finished(Error(Error::Code::Usage,
                            QStringLiteral("Could not log in to %1").arg(RegistryName::host(named)),
                            QStringLiteral("a user and a password are needed"),
                            RegistryError::loginHint(named)));
        return;
    }
    m_client->call("POST", QStringLiteral("/auth"), credential.authBody(),
                   QStringLiteral("Could not log in to %1").arg(RegistryName::host(named)), m_calls,
                   [this, credential, named](const Result<QByteArray> &answer) {
                       if (!answer) {
                           emit finished(RegistryError::explainLogin(answer.error(), named));
                           return;
                       }
                       RegistryCredential toStore = credential;
                       const QString token = QJsonDocument::fromJson(answer.value())
                                                 .object()
                                                 .value(QStringLiteral("IdentityToken"))
                                                 .toString();
                       if (!token.isEmpty()) {
                           toStore.identityToken = token;
                           toStore.password.clear();
                       }
                       CredentialStore::store(toStore, m_client->isPodman(), m_calls,
                                              [this](
                                                  const Result<CredentialStore::Stored> &stored) {
                                                  if (!stored) {
                                                      emit finished(stored.error());
                                                      return;
                                                  }
                                                  m_stored = stored.value();
                                                  emit finished(Error());
                                              });
                   });
}
