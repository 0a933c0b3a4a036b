import { BarChart, type BarSeriesOption } from 'echarts/charts';
import { GridComponent, type GridComponentOption, TooltipComponent, type TooltipComponentOption } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { ChartCanvas } from './chart-canvas.tsx';

// Only what the charts of this release need, so the chart chunk stays small. Add series here.
echarts.use([BarChart, GridComponent, TooltipComponent, CanvasRenderer]);

export type EChartOption = echarts.ComposeOption<BarSeriesOption | GridComponentOption | TooltipComponentOption>;

/** The shell's charts (bars); the option is typed by the series registered above. */
export function EChart(props: { option: EChartOption; height?: number; testId?: string }) {
  return <ChartCanvas {...props} />;
}

export default EChart;
