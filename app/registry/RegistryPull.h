#pragma once

#include "RegistryCredential.h"
#include "common/Error.h"

#include <QObject>

class DockerClient;
class ImagePull;

// A pull with the login the docker CLI (or Podman) keeps for the image's registry: finds it
// (CredentialLookup), sends it as X-Registry-Auth, and tells a failure in the registry's terms
// (RegistryError::explainPull). Connect to imagePull()'s progress signals for the bytes.
class RegistryPull : public QObject
{
    Q_OBJECT

public:
    RegistryPull(DockerClient *client, const QString &reference, QObject *parent = nullptr);

    ImagePull *imagePull() const { return m_pull; }
    QString registry() const;
    // What was sent: empty when no login was found (known once the pull has begun).
    const RegistryCredential &credential() const { return m_credential; }

    void start();
    void cancel();

signals:
    void finished(const Error &error);

private:
    DockerClient *m_client;
    ImagePull *m_pull; // a child
    QObject *m_calls;  // the lookup's context: deleting it drops a late answer
    RegistryCredential m_credential;
    bool m_cancelled = false;
};
