import type { EChartsCoreOption, ECharts } from 'echarts/core';
import * as echarts from 'echarts/core';
import { useEffect, useRef } from 'react';

/**
 * ECharts in React: init on mount, replace the option on change, follow the container's size.
 * Charts and components are registered by the typed wrappers (EChart for the shell, DealChart in
 * the CRM's lazy chunk), so each chunk carries only the series it draws.
 */
export function ChartCanvas({ option, height = 320, testId }: { option: EChartsCoreOption; height?: number; testId?: string | undefined }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const instance = echarts.init(el, undefined, { renderer: 'canvas' });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(el);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  return <div ref={ref} style={{ width: '100%', height }} data-testid={testId} />;
}
