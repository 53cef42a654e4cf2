#pragma once

#include <QByteArray>
#include <QString>

// A registry login: a user and password, or an identity token. It travels to the engine only in
// X-Registry-Auth (pulls, swarm services) and in the body of POST /auth; it is never logged and
// never written anywhere but where the docker CLI or Podman keep it.
struct RegistryCredential
{
    QString serverAddress; // the key it was found under, or the registry asked for
    QString username;
    QString password;
    QString identityToken;
    QString source; // where it came from, for messages: a file's path or "docker-credential-x"

    bool isEmpty() const { return password.isEmpty() && identityToken.isEmpty(); }
    // The X-Registry-Auth value: base64url of {username, password, serveraddress} or
    // {identitytoken, serveraddress}, as the docker CLI sends it.
    QByteArray registryAuthHeader() const;
    // The body of POST /auth.
    QByteArray authBody() const;
};
