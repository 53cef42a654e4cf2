#include "CredentialLookup.h"

#include "AuthFile.h"
#include "CredentialHelper.h"
#include "RegistryName.h"

#include <QTimer>

void CredentialLookup::find(const QString &registry, bool podman, QObject *context, Done done)
{
    const QStringList files = podman ? AuthFile::podmanPaths()
                                     : QStringList{AuthFile::dockerPath()};
    auto *lookup = new CredentialLookup(RegistryName::host(registry), files, podman,
                                        std::move(done), context);
    // Always asynchronous, so that callers see one order of events.
    QTimer::singleShot(0, lookup, &CredentialLookup::next);
}

CredentialLookup::CredentialLookup(QString registry, QStringList files, bool podman, Done done,
                                   QObject *parent)
    : QObject(parent),
      m_registry(std::move(registry)),
      m_files(std::move(files)),
      m_podman(podman),
      m_done(std::move(done))
{
}

void CredentialLookup::next()
{
    if (m_files.isEmpty()) {
        finish(RegistryCredential());
        return;
    }
    const Result<AuthFile> file = AuthFile::load(m_files.takeFirst());
    if (!file) {
        finish(file.error());
        return;
    }
    const QString helper = file.value().helperFor(m_registry);
    if (!helper.isEmpty()) {
        auto *call = new CredentialHelper(helper, this);
        call->get(RegistryName::key(m_registry),
                  [this, call](const Result<RegistryCredential> &found) {
                      call->deleteLater();
                      // Docker asks the helper only; Podman goes on to its next file.
                      if (!found || !found.value().isEmpty() || !m_podman) {
                          if (found && !found.value().isEmpty()) {
                              RegistryCredential credential = found.value();
                              if (credential.serverAddress.isEmpty())
                                  credential.serverAddress = RegistryName::key(m_registry);
                              finish(credential);
                          } else {
                              finish(found);
                          }
                          return;
                      }
                      next();
                  });
        return;
    }
    RegistryCredential credential = file.value().credentialFor(m_registry);
    if (!credential.isEmpty()) {
        finish(credential);
        return;
    }
    next();
}

void CredentialLookup::finish(const Result<RegistryCredential> &result)
{
    Done done = std::move(m_done);
    m_done = nullptr;
    deleteLater();
    if (done)
        done(result);
}
