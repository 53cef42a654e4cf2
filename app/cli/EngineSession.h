#pragma once

#include "common/Result.h"

class CliContext;
class DockerClient;

// The engine for a headless command: --host, else the docker CLI's conventions.
namespace EngineSession {

// The client lives as long as the QCoreApplication. presetEngine: a preset's "engine", which
// --host overrides and which overrides DOCKER_HOST and the contexts.
Result<DockerClient *> connect(const CliContext &ctx, const QString &presetEngine = {});

} // namespace EngineSession
