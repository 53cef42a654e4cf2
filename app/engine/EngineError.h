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

// docker run's exit code for a container the engine could not start, read from the engine's
// words as the docker CLI reads them: 127 when the command or path does not exist, 126 when it
// cannot be executed (permission denied, a directory), else 125.
int startFailureExitCode(const QString &message);
// The sentence the window puts beside such a code: "command not found", "command cannot be run",
// "" for 125.
QString startFailureText(int exitCode);

// The connection to the engine broke off or could not be made again (the engine died, the
// host went away): not an answer of the engine.
bool isEngineLost(const Error &error);
// error, for a launch whose container `container` already existed on `engineUrl` when the engine
// was lost: says that the engine stopped answering, that the container may still run there, and
// how to find it again once the engine is back.
Error lostDuringRun(const Error &error, const QString &container, const QString &engineUrl);

extern const char *const kToolkitHint;
// Docker 29.2's --gpus through CDI found no NVIDIA spec: generate it, or install the hook.
extern const char *const kGpusThroughCdiHint;
// A CDI device the engine cannot resolve: generate the spec, or pick a listed device.
extern const char *const kCdiHint;

} // namespace EngineError
