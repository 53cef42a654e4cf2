#pragma once

#include <QObject>
#include <QPointer>

struct Endpoint;
class Engine;
class EngineRegistry;

// Which of the registry's engines the window shows, remembered across starts. Whatever follows the
// selected engine connects to it with context(), which goes when another one is selected, so late
// answers of the previous engine reach nobody. The engine's state stays in the Engine.
class EngineSelection : public QObject
{
    Q_OBJECT

public:
    explicit EngineSelection(EngineRegistry *registry, QObject *parent = nullptr);

    EngineRegistry *registry() const { return m_registry; }
    Engine *engine() const;
    QObject *context() const { return m_context; }
    // --host and DOCKER_HOST say which engine to use; without them, the one selected last time,
    // else the current docker context.
    Engine *restored() const;

    void select(Engine *engine);
    // The registry's engine for endpoint (added to it when new).
    void selectEndpoint(const Endpoint &endpoint);

signals:
    // engine is the selected one from now on; connect to it with context().
    void selected(Engine *engine);

private:
    EngineRegistry *m_registry;
    QPointer<Engine> m_engine;
    QObject *m_context = nullptr;
};
