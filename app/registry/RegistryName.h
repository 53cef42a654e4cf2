#pragma once

#include <QString>

// Registry names as the docker CLI reads them: the registry of an image reference, the key its
// credentials are kept under, and the host a stored key or a `login` argument names.
namespace RegistryName {

// Docker Hub's key in config.json and for credential helpers.
inline constexpr char kDockerHubKey[] = "https://index.docker.io/v1/";
inline constexpr char kDockerHub[] = "docker.io";

// "nvcr.io/nvidia/cuda:12" -> "nvcr.io"; "busybox", "user/repo" -> "docker.io": a first
// component without a dot, a colon or being "localhost" is a Docker Hub namespace.
QString ofImage(const QString &reference);
// "https://host:5000/v2/" -> "host:5000"; every name of Docker Hub -> "docker.io".
QString host(const QString &server);
bool isDockerHub(const QString &server);
// Where credentials for the registry are kept: Docker Hub's URL, else the host.
QString key(const QString &server);

} // namespace RegistryName
