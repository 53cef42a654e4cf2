#include "engines/EnginePicker.h"

#include "engines/EngineSelection.h"
#include "fleet/Engine.h"
#include "fleet/EngineRegistry.h"

EnginePicker::EnginePicker(QWidget *parent) : QComboBox(parent)
{
    setObjectName(QStringLiteral("engineCombo"));
    setToolTip(tr("The engine to talk to: the docker contexts of this machine"));
    setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(this, &QComboBox::activated, this, &EnginePicker::onPicked);
}

void EnginePicker::setSelection(EngineSelection *selection)
{
    m_selection = selection;
    EngineRegistry *registry = selection->registry();
    connect(registry, &EngineRegistry::engineAdded, this, &EnginePicker::fill);
    connect(registry, &EngineRegistry::engineRemoved, this, &EnginePicker::fill);
    connect(selection, &EngineSelection::selected, this, &EnginePicker::fill);
    fill();
}

void EnginePicker::fill()
{
    if (!m_selection)
        return;
    const QSignalBlocker block(this);
    clear();
    int currentIndex = -1;
    EngineRegistry *registry = m_selection->registry();
    const QList<Engine *> &engines = registry->engines();
    for (Engine *engine : engines) {
        const bool context = engine->source() == QLatin1String("context")
                             || engine->source() == QLatin1String("default");
        QString text = context ? tr("context %1").arg(engine->name())
                               : tr("%1 (%2)").arg(engine->name(), engine->source());
        if (engine == registry->current() && context)
            text = tr("context %1 (current)").arg(engine->name());
        addItem(text, QVariant::fromValue(static_cast<QObject *>(engine)));
        setItemData(count() - 1, engine->url(), Qt::ToolTipRole);
        if (engine == m_selection->engine())
            currentIndex = count() - 1;
    }
    setCurrentIndex(currentIndex);
    setVisible(count() > 0);
}

void EnginePicker::onPicked(int index)
{
    if (auto *engine = qobject_cast<Engine *>(itemData(index).value<QObject *>());
        engine && m_selection)
        m_selection->select(engine);
}
