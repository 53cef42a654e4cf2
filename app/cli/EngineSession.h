#pragma once

#include "common/Result.h"

class CliContext;
class DockerClient;

// The engine for a headless command: --host, else the docker CLI's conventions.
namespace EngineSession {

// The client lives as long as the QCoreApplication.
Result<DockerClient *> connect(const CliContext &ctx);

} // namespace EngineSession
