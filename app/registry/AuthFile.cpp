#include "AuthFile.h"

#include "RegistryName.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>

namespace {

const QString kAuths = QStringLiteral("auths");

QString home()
{
    return QDir::homePath();
}

} // namespace

QString AuthFile::dockerPath()
{
    const QString dir = qEnvironmentVariable("DOCKER_CONFIG");
    return (dir.isEmpty() ? home() + QStringLiteral("/.docker") : dir)
           + QStringLiteral("/config.json");
}

QStringList AuthFile::podmanPaths()
{
    QStringList paths;
    if (const QString file = qEnvironmentVariable("REGISTRY_AUTH_FILE"); !file.isEmpty())
        paths << file;
    if (const QString runtime = qEnvironmentVariable("XDG_RUNTIME_DIR"); !runtime.isEmpty())
        paths << runtime + QStringLiteral("/containers/auth.json");
    paths << home() + QStringLiteral("/.config/containers/auth.json") << dockerPath();
    return paths;
}

Result<AuthFile> AuthFile::load(const QString &path)
{
    AuthFile file;
    file.m_path = path;
    QFile in(path);
    if (!in.exists())
        return file;
    const QString what = QStringLiteral("Could not read the registry logins in %1").arg(path);
    if (!in.open(QIODevice::ReadOnly))
        return Error(Error::Code::Io, what, in.errorString());
    const QByteArray bytes = in.readAll();
    if (bytes.trimmed().isEmpty())
        return file;
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &parseError);
    if (!document.isObject())
        return Error(Error::Code::Io, what,
                     parseError.error != QJsonParseError::NoError
                         ? parseError.errorString()
                         : QStringLiteral("not a JSON object"),
                     QStringLiteral("Fix or remove the file"));
    file.m_root = document.object();
    return file;
}

QString AuthFile::helperFor(const QString &registry) const
{
    const QJsonObject helpers = m_root.value(QStringLiteral("credHelpers")).toObject();
    const QString host = RegistryName::host(registry);
    for (auto it = helpers.begin(); it != helpers.end(); ++it) {
        if (RegistryName::host(it.key()) == host)
            return it.value().toString();
    }
    return m_root.value(QStringLiteral("credsStore")).toString();
}

QString AuthFile::entryKey(const QString &registry) const
{
    const QJsonObject auths = m_root.value(kAuths).toObject();
    if (auths.contains(registry))
        return registry;
    const QString host = RegistryName::host(registry);
    for (auto it = auths.begin(); it != auths.end(); ++it) {
        if (RegistryName::host(it.key()) == host)
            return it.key();
    }
    return {};
}

bool AuthFile::hasEntryFor(const QString &registry) const
{
    return !entryKey(registry).isEmpty();
}

RegistryCredential AuthFile::credentialFor(const QString &registry) const
{
    RegistryCredential credential;
    const QString key = entryKey(registry);
    if (key.isEmpty())
        return credential;
    const QJsonObject entry = m_root.value(kAuths).toObject().value(key).toObject();
    credential.serverAddress = key;
    credential.source = m_path;
    credential.identityToken = entry.value(QStringLiteral("identitytoken")).toString();
    const QByteArray pair = QByteArray::fromBase64(
        entry.value(QStringLiteral("auth")).toString().toLatin1());
    const qsizetype colon = pair.indexOf(':');
    if (colon > 0) {
        credential.username = QString::fromUtf8(pair.left(colon));
        credential.password = QString::fromUtf8(pair.mid(colon + 1));
    } else {
        credential.username = entry.value(QStringLiteral("username")).toString();
        credential.password = entry.value(QStringLiteral("password")).toString();
    }
    return credential;
}

void AuthFile::setCredential(const RegistryCredential &credential)
{
    QJsonObject auths = m_root.value(kAuths).toObject();
    if (const QString old = entryKey(credential.serverAddress); !old.isEmpty())
        auths.remove(old);
    QJsonObject entry;
    if (!credential.identityToken.isEmpty()) {
        entry.insert(QStringLiteral("identitytoken"), credential.identityToken);
        // docker login keeps the user's name next to the token.
        entry.insert(QStringLiteral("auth"),
                     QString::fromLatin1(
                         (credential.username + QLatin1Char(':')).toUtf8().toBase64()));
    } else {
        entry.insert(
            QStringLiteral("auth"),
            QString::fromLatin1(
                (credential.username + QLatin1Char(':') + credential.password).toUtf8().toBase64()));
    }
    auths.insert(credential.serverAddress, entry);
    m_root.insert(kAuths, auths);
}

void AuthFile::setPlaceholder(const QString &key)
{
    QJsonObject auths = m_root.value(kAuths).toObject();
    if (const QString old = entryKey(key); !old.isEmpty())
        auths.remove(old);
    auths.insert(key, QJsonObject());
    m_root.insert(kAuths, auths);
}

bool AuthFile::remove(const QString &registry)
{
    QJsonObject auths = m_root.value(kAuths).toObject();
    bool removed = false;
    for (QString key = entryKey(registry); !key.isEmpty(); key = entryKey(registry)) {
        auths.remove(key);
        m_root.insert(kAuths, auths);
        removed = true;
    }
    return removed;
}

Result<void> AuthFile::save() const
{
    const QString what = QStringLiteral("Could not save the registry login in %1").arg(m_path);
    if (!QDir().mkpath(QFileInfo(m_path).absolutePath()))
        return Error(Error::Code::Io, what, QStringLiteral("its folder could not be made"));
    QSaveFile out(m_path);
    if (!out.open(QIODevice::WriteOnly))
        return Error(Error::Code::Io, what, out.errorString());
    out.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    out.write(QJsonDocument(m_root).toJson(QJsonDocument::Indented));
    if (!out.commit())
        return Error(Error::Code::Io, what, out.errorString());
    return {};
}
