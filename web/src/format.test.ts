import { describe, expect, it } from 'vitest';
import { formatBytes, niceMax, pageInfo, parseSize, percent, polyline, query, splitList } from './format';

describe('sizes', () => {
  it('formats bytes in binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5.0 GiB');
    expect(formatBytes(-1)).toBe('–');
  });
  it('parses what an admin types', () => {
    expect(parseSize('')).toBe(0);
    expect(parseSize('500')).toBe(500);
    expect(parseSize('10K')).toBe(10240);
    expect(parseSize('1.5M')).toBe(1.5 * 1024 * 1024);
    expect(parseSize('2 GiB')).toBe(2 * 1024 ** 3);
    expect(parseSize('lots')).toBeNull();
    expect(parseSize('1e9')).toBeNull();
  });
  it('caps the quota bar at 100 %', () => {
    expect(percent(50, 100)).toBe(50);
    expect(percent(500, 100)).toBe(100);
    expect(percent(5, 0)).toBe(0);
  });
});

describe('paging and queries', () => {
  it('describes a page', () => {
    expect(pageInfo(0, 25, 60)).toEqual({ from: 1, to: 25, hasPrev: false, hasNext: true });
    expect(pageInfo(50, 10, 60)).toEqual({ from: 51, to: 60, hasPrev: true, hasNext: false });
    expect(pageInfo(0, 0, 0).from).toBe(0);
  });
  it('builds query strings without empty values', () => {
    expect(query({ q: 'a b', offset: 0, domain: '' })).toBe('?q=a%20b&offset=0');
    expect(query({})).toBe('');
  });
  it('splits alias targets', () => {
    expect(splitList('a@x.org, b@x.org\nc@x.org')).toEqual(['a@x.org', 'b@x.org', 'c@x.org']);
  });
});

describe('charts', () => {
  it('rounds the axis up', () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(7)).toBe(10);
    expect(niceMax(130)).toBe(200);
    expect(niceMax(4000)).toBe(5000);
  });
  it('draws points inside the box', () => {
    expect(polyline([0, 5, 10], 10, 100, 50)).toBe('0,50 50,25 100,0');
    expect(polyline([3], 10, 100, 50)).toBe('0,35');
  });
});
