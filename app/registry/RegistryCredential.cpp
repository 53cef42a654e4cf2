#include "RegistryCredential.h"

#include <QJsonDocument>
#include <QJsonObject>

static QJsonObject authObject(const RegistryCredential &credential)
{
    QJsonObject object{{QStringLiteral("serveraddress"), credential.serverAddress}};
    if (!credential.identityToken.isEmpty()) {
        object.insert(QStringLiteral("identitytoken"), credential.identityToken);
    } else {
        object.insert(QStringLiteral("username"), credential.username);
        object.insert(QStringLiteral("password"), credential.password);
    }
    return object;
}

QByteArray RegistryCredential::registryAuthHeader() const
{
    return QJsonDocument(authObject(*this))
        .toJson(QJsonDocument::Compact)
        .toBase64(QByteArray::Base64UrlEncoding);
}

QByteArray RegistryCredential::authBody() const
{
    return QJsonDocument(authObject(*this)).toJson(QJsonDocument::Compact);
}
