#include "RegistryPull.h"

#include "CredentialLookup.h"
#include "RegistryError.h"
#include "RegistryName.h"

#include "engine/DockerClient.h"
#include "engine/ImagePull.h"

RegistryPull::RegistryPull(DockerClient *client, const QString &reference, QObject *parent)
    : QObject(parent),
      m_client(client),
      m_pull(new ImagePull(client, reference, this)),
      m_calls(new QObject(this))
{
    connect(m_pull, &ImagePull::finished, this, [this](const Error &error) {
        emit finished(RegistryError::explainPull(error, m_pull->reference(), m_credential));
    });
}

QString RegistryPull::registry() const
{
    return RegistryName::ofImage(m_pull->reference());
}

void RegistryPull::start()
{
    if (m_pull->reference().isEmpty()) {
        m_pull->start(); // says what is missing
        return;
    }
    // The engine's kind decides whose files are read; it is known once the version is.
    m_client->whenReady(m_calls, [this](const Error &error) {
        if (error.isError()) {
            m_pull->start(); // fails with the engine's own error
            return;
        }
        CredentialLookup::find(registry(), m_client->isPodman(), m_calls,
                               [this](const Result<RegistryCredential> &found) {
                                   if (m_cancelled || m_pull->isFinished())
                                       return;
                                   if (!found) {
                                       emit finished(found.error());
                                       return;
                                   }
                                   m_credential = found.value();
                                   if (!m_credential.isEmpty())
                                       m_pull->setRegistryAuth(m_credential.registryAuthHeader());
                                   m_pull->start();
                               });
    });
}

void RegistryPull::cancel()
{
    m_cancelled = true;
    if (m_pull->isFinished())
        return;
    m_pull->cancel(); // before its start, this finishes it as cancelled at once
}
