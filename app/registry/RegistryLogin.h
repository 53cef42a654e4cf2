#pragma once

#include "CredentialStore.h"
#include "RegistryCredential.h"
#include "common/Error.h"

#include <QObject>

class DockerClient;

// What `docker login` does: the engine checks the login with the registry (POST /auth), then it
// is stored where docker (or Podman) keeps logins (CredentialStore). An identity token the
// registry hands back is stored instead of the password, as docker does.
class RegistryLogin : public QObject
{
    Q_OBJECT

public:
    RegistryLogin(DockerClient *client, QObject *parent = nullptr);

    // credential.serverAddress: the registry as the user named it; empty for Docker Hub.
    void start(RegistryCredential credential);
    const CredentialStore::Stored &stored() const { return m_stored; }

signals:
    void finished(const Error &error);

private:
    DockerClient *m_client;
    QObject *m_calls;
    CredentialStore::Stored m_stored;
};
