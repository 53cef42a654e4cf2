#pragma once

#include "common/Error.h"

struct Endpoint;

#include <QByteArray>

// Turns an engine error response ({"message": "..."} with a status) into an Error whose hint says
// what to do: missing image, name conflict, unknown runtime, the NVIDIA device-driver failure...
namespace EngineError {

Error fromResponse(const QString &what, int status, const QByteArray &body);

// The engine's "message" field, or the body itself when it is not JSON.
QString messageOf(const QByteArray &body);

// The hint for a daemon message ("" when none applies); also used for errors inside streams.
Error classify(const QString &what, const QString &message, int status);

// A transport failure (no socket, refused, certificate, ssh host key...) with what to do about it
// on this kind of engine. Errors that already have a hint are returned as they are.
Error explain(const Error &error, const Endpoint &endpoint);

// The engine's words for an image it does not have (Docker's and Podman's).
bool isMissingImage(const QString &message);

extern const char *const kToolkitHint;
// Docker 29.2's --gpus through CDI found no NVIDIA spec: generate it, or install the hook.
extern const char *const kGpusThroughCdiHint;
// A CDI device the engine cannot resolve: generate the spec, or pick a listed device.
extern const char *const kCdiHint;

} // namespace EngineError
