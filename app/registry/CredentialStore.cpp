#include "CredentialStore.h"

#include "AuthFile.h"
#include "CredentialHelper.h"
#include "RegistryName.h"

#include <QTimer>

QString CredentialStore::fileFor(bool podman)
{
    return podman ? AuthFile::podmanPaths().constFirst() : AuthFile::dockerPath();
}

void CredentialStore::store(const RegistryCredential &credential, bool podman, QObject *context,
                            Done done)
{
    auto *job = new CredentialStore(std::move(done), context);
    const QString path = fileFor(podman);
    QTimer::singleShot(0, job, [job, credential, path]() { job->storeNow(credential, path); });
}

void CredentialStore::erase(const QString &registry, bool podman, QObject *context, Done done)
{
    auto *job = new CredentialStore(std::move(done), context);
    const QString path = fileFor(podman);
    QTimer::singleShot(0, job, [job, registry, path]() { job->eraseNow(registry, path); });
}

QString CredentialStore::unencryptedWarning(const QString &path)
{
    return QStringLiteral(
               "The password is stored unencrypted in %1. To keep it in a keyring instead, "
               "install a docker credential helper (such as docker-credential-pass or "
               "docker-credential-secretservice) and name it in that file as \"credsStore\".")
        .arg(path);
}

CredentialStore::CredentialStore(Done done, QObject *parent)
    : QObject(parent), m_done(std::move(done))
{
}

void CredentialStore::storeNow(RegistryCredential credential, const QString &path)
{
    credential.serverAddress = RegistryName::key(credential.serverAddress);
    Result<AuthFile> file = AuthFile::load(path);
    if (!file) {
        finish(file.error());
        return;
    }
    const QString helper = file.value().helperFor(credential.serverAddress);
    if (helper.isEmpty()) {
        file.value().setCredential(credential);
        if (const Result<void> saved = file.value().save(); !saved) {
            finish(saved.error());
            return;
        }
        finish(Stored{path, true, true});
        return;
    }
    auto *call = new CredentialHelper(helper, this);
    call->store(credential, [this, call, file = file.value(), key = credential.serverAddress](
                                const Result<RegistryCredential> &stored) mutable {
        call->deleteLater();
        if (!stored) {
            finish(stored.error());
            return;
        }
        // docker login leaves an empty entry, so that the file still lists the registry.
        file.setPlaceholder(key);
        if (const Result<void> saved = file.save(); !saved) {
            finish(saved.error());
            return;
        }
        finish(Stored{call->program(), false, true});
    });
}

void CredentialStore::eraseNow(const QString &registry, const QString &path)
{
    const QString key = RegistryName::key(registry);
    Result<AuthFile> file = AuthFile::load(path);
    if (!file) {
        finish(file.error());
        return;
    }
    const bool hadEntry = file.value().remove(key);
    if (hadEntry) {
        if (const Result<void> saved = file.value().save(); !saved) {
            finish(saved.error());
            return;
        }
    }
    const QString helper = file.value().helperFor(key);
    if (helper.isEmpty()) {
        finish(Stored{path, false, hadEntry});
        return;
    }
    auto *call = new CredentialHelper(helper, this);
    call->erase(key, [this, call](const Result<RegistryCredential> &erased) {
        call->deleteLater();
        if (!erased) {
            finish(erased.error());
            return;
        }
        finish(Stored{call->program(), false, true});
    });
}

void CredentialStore::finish(const Result<Stored> &result)
{
    Done done = std::move(m_done);
    m_done = nullptr;
    deleteLater();
    if (done)
        done(result);
}
